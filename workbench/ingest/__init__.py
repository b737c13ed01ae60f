"""Files' text -> articles: HTML through trafilatura, plain text and Markdown through a
paragraph classifier of the jusText kind. Pure: the file and store work is in `corpus`."""

from workbench.ingest.article import CleanArticle, clean_article, site_profile
from workbench.ingest.classify import Removed
from workbench.ingest.text import normalize_text

__all__ = ["CleanArticle", "Removed", "clean_article", "normalize_text", "site_profile"]
