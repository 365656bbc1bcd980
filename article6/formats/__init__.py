"""Date formats per language (FORMAT_MODULE_PATH): one long, readable form for every date a
person reads. Machine formats (ISO 8601 in <time datetime>, CSV, JSON, date inputs) stay as they are."""
