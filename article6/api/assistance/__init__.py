"""The API of assistance under Article 6, one module per kind of record: needs that
affected States state (needs), offers of those in a position to give (offers),
commitments with their yearly amounts and the recipient's confirmation (commitments),
the funding table, the gap and the exchange rates (funding). Their bodies and answers
are in schemas; what the routes share in common.

Lists and details go through assistance.queries (a record the caller may not see is
absent from the lists and a 404 on its own); writes through assistance.services, which
ask the permission layer (403 saying what the caller lacks) and validate the records
(422 naming the field). Money is a JSON number with its currency alongside. Each
operation runs a fixed number of SQL queries, whatever the number of records; the
comments say how many, besides identifying the caller (two queries with a token, one
more for ISU staff and coordinators: their second factor).
"""

from ninja import Router

from article6.api.assistance import commitments, funding, needs, offers, suggestions

router = Router()
for part in (needs, offers, commitments, funding, suggestions):
    router.add_router("", part.router)
