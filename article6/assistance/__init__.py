"""Cooperation and assistance figures from outside sources.

Pure reading, checking and writing of the files donors and the OECD publish:
IATI activity XML (:mod:`article6.assistance.iati`) and OECD Creditor Reporting
System tables (:mod:`article6.assistance.crs`). Nothing here touches the
database: the import commands map these dataclasses to models and wrap their
writes in a transaction.
"""
