"""Cooperation and assistance: needs, offers, commitments, matches and funding (Art. 6).

The files donors publish (IATI, CRS) are read by :mod:`article6.interchange`; this
app maps them to records.
"""
