"""The one text search: requests (the staff queue's ?q=) and published minutes.

Text is cut into overlapping two-character pieces (Chinese has no spaces, and the words
people type, 楼道 or 噪音, are mostly two characters), kept in ``search_document``, and
indexed by FTS5 on SQLite and a GIN tsvector index on PostgreSQL. See ``service``.
"""
