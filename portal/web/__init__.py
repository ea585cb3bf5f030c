"""Cross-cutting web glue: rendering, security headers, errors, i18n, pagination, forms."""
