"""The story bank's pages, one module per topic (see urls.py for which is which)."""
