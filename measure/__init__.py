"""Measuring the extractor: accuracy against labelled pages, grouping accuracy, the confidence model."""
