"""The files donors and the OECD publish: IATI activity XML and OECD CRS tables.

Plain Python, no database: reading (:mod:`.iati`, :mod:`.iati_read`), checking
against the IATI 2.03 schema (:mod:`.iati_schema`), writing (:mod:`.iati_write`),
the activity as dataclasses (:mod:`.activity`), the code lists (:mod:`.codelists`),
CRS tables (:mod:`.crs`) and safe XML streaming (:mod:`.xmlsafe`). The import
commands in :mod:`article6.assistance.importing` map these to records.
"""
