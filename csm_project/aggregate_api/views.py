"""``GET /api/now[/v1]/stats/{table}``: counts and statistics over any table the caller may read.

Filtering is the Table API's (``sysparm_query``, else name-value pairs); what to compute is
``selectors.parse_request``'s business and the figures come from one database query
(``selectors.aggregate``). Read right on the table is required, as for a Table API read.
"""

from __future__ import annotations

from functools import cached_property

from rest_framework.response import Response

from csm_project.aggregate_api.openapi import stats_schema
from csm_project.aggregate_api.selectors import InvalidStatsRequest, aggregate, parse_request
from csm_project.api.errors import ApiError
from csm_project.api.renderers import PlatformJSONRenderer, PlatformXMLRenderer
from csm_project.api.views import NowAPIView
from csm_project.core.access.fields import table_reader
from csm_project.core.access.table_access import table_access_allows
from csm_project.core.records.datetimes import user_zone
from csm_project.core.records.queries import QUERY_PARAM, apply_encoded_query
from csm_project.registry import TableSpec, get_table
from csm_project.table_api.name_value import name_value_query
from csm_project.table_api.openapi import table_parameter


class StatsView(NowAPIView):
    openapi_tag = "Aggregate API"
    openapi_path_parameters = {"table": table_parameter}
    renderer_classes = [PlatformJSONRenderer, PlatformXMLRenderer]

    @cached_property
    def table(self) -> TableSpec:
        return get_table(self.kwargs.get("table", ""))  # UnknownTable: the handler's 400

    def access_allowed(self, request) -> bool:
        """Asked by the role permission after authentication (so an anonymous caller gets the
        401 before an unknown table's 400): the table's read right."""
        return table_access_allows(user=request.user, table=self.table.name, write=False)

    @stats_schema
    def get(self, request, *args, **kwargs) -> Response:
        table = self.table
        params = request.query_params
        try:
            stats = parse_request(table, params)
        except InvalidStatsRequest as exc:
            raise ApiError("Invalid aggregate request", str(exc)) from None
        text = params.get(QUERY_PARAM)
        if text is None:
            pairs = ((name, value) for name, values in params.lists() for value in values)
            text = name_value_query(table, pairs, may_read=table_reader(request.user))
        queryset = apply_encoded_query(table.model.objects.all(), text, user=request.user, table=table)
        return Response({"result": aggregate(queryset, table, stats, zone=user_zone(request.user))})
