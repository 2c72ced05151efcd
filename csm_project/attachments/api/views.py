"""The Attachment API (``/api/now[/v1]/attachment``), an adapter over ``attachments.services``.

- ``GET  attachment``: metadata of the attachments the caller may see (``sysparm_query`` over
  ``sys_attachment``, ``sysparm_limit`` default 1000, ``sysparm_offset``, the Table API's
  display parameters), with ``X-Total-Count`` and ``Link``.
- ``GET  attachment/{sys_id}``: one attachment's metadata; ``GET .../{sys_id}/file`` its
  content, streamed with its content type.
- ``POST attachment/file?table_name=&table_sys_id=&file_name=``: the raw body is the file
  (its ``Content-Type`` is stored); ``POST attachment/upload``: a multipart form with
  ``table_name``, ``table_sys_id`` and the file part. Both answer 201 with the metadata and a
  ``Location`` header. The body is read in chunks, never whole.
- ``PATCH attachment/{sys_id}`` with ``{"file_name": "..."}``: renames it, 204 and no body.
- ``DELETE attachment/{sys_id}``: 204.

Metadata is the ``sys_attachment`` record in the Table API's shape plus ``download_link`` and
the vendor's image and compression keys (``IMAGE_AND_COMPRESSION_KEYS``); a download carries
the same metadata, as JSON, in ``X-Attachment-Metadata``.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import FileResponse
from django.http.multipartparser import MultiPartParserError
from rest_framework import status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from csm_project.api.errors import ApiError, BadRequestBody, RecordNotFound
from csm_project.api.links import absolute_url
from csm_project.api.pagination import SysparmPagination
from csm_project.api.permissions import IsAuthenticatedUser
from csm_project.api.renderers import PlatformJSONRenderer, PlatformXMLRenderer
from csm_project.api.views import NowViewSet
from csm_project.attachments import services
from csm_project.attachments.api.openapi import AttachmentMetadataSerializer, attachment_schema
from csm_project.attachments.models import Attachment
from csm_project.core.errors import RecordMissing
from csm_project.core.records.datetimes import format_display, user_zone
from csm_project.core.records.field_paths import requested_fields
from csm_project.core.records.queries import QUERY_PARAM, apply_encoded_query
from csm_project.core.records.wire_values import to_text
from csm_project.registry import FieldType, get_table

UPLOAD_FIELD = "uploadFile"
METADATA_HEADER = "X-Attachment-Metadata"
#: Keys the vendor's metadata always has beside the fields (``image_width`` and ``image_height``
#: are fields, measured on upload). Files are stored as sent (never compressed) and colours are
#: not measured, so these have the vendor's values for an uncompressed file of unknown colour.
IMAGE_AND_COMPRESSION_KEYS = {
    "compressed": "false",
    "size_compressed": "",
    "average_image_color": "",
}
# Room for a multipart form's boundaries and small fields around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


class AttachmentPagination(SysparmPagination):
    default_limit = 1000

    def get_paginated_response(self, data) -> Response:
        return Response({"result": data}, headers=self.headers())

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {"type": "object", "properties": {"result": schema}, "required": ["result"]}


class AnyAcceptForFiles(DefaultContentNegotiation):
    """A file download answers whatever the client accepts; only errors need a renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Exception:
            return renderers[0], renderers[0].media_type


class AttachmentViewSet(NowViewSet):
    openapi_tag = "Attachment API"
    # An upload naming a record that does not exist: 404, though the URL holds no id.
    openapi_extra_errors = {"upload_raw": ["404"], "upload_multipart": ["404"]}
    serializer_class = AttachmentMetadataSerializer  # for the OpenAPI document only: rows are shaped by _shaper
    permission_classes = [IsAuthenticatedUser]  # rights are the parent record's, in the services
    renderer_classes = [PlatformJSONRenderer, PlatformXMLRenderer]
    parser_classes: list = []  # bodies are streamed by the actions themselves, never parsed whole
    pagination_class = AttachmentPagination
    content_negotiation_class = AnyAcceptForFiles
    metadata_class = None

    @classmethod
    def max_body_bytes(cls) -> int:
        """The largest body an upload takes (a body sent without a length is read up to it)."""
        return settings.ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD

    # --- shaping -------------------------------------------------------------------------

    def _shaper(self, *, plain: bool = False):
        """A function giving one attachment's metadata as this request asks it: the fields of
        ``sysparm_fields`` (all by default), each a string (``sysparm_display_value=false``), its
        display form (``true``: date-times in the caller's zone) or both (``all``)."""
        params = {} if plain else self.request.query_params  # plain: every field, values only
        table = get_table(Attachment.sys_table)
        wanted = requested_fields(params.get("sysparm_fields"))
        specs = [table.fields[name] for name in (wanted or table.fields) if name in table.fields]
        mode = (params.get("sysparm_display_value") or "").strip().lower()
        zone = user_zone(self.request.user)

        def shown(spec, value) -> str:
            if spec.type is FieldType.DATETIME and value is not None:
                return format_display(value, zone) or ""
            return to_text(spec, value)

        def shape(attachment: Attachment) -> dict:
            result = {}
            for spec in specs:
                value = getattr(attachment, spec.model_field)
                if mode == "true":
                    result[spec.name] = shown(spec, value)
                elif mode == "all":
                    result[spec.name] = {"display_value": shown(spec, value), "value": to_text(spec, value)}
                else:
                    result[spec.name] = to_text(spec, value)
            for key, value in IMAGE_AND_COMPRESSION_KEYS.items():
                if not wanted or key in wanted:
                    result[key] = {"display_value": value, "value": value} if mode == "all" else value
            result["download_link"] = self._link(attachment) + "/file"
            return result

        return shape

    def _link(self, attachment: Attachment) -> str:
        return absolute_url(self.request, f"/api/now/v1/attachment/{attachment.pk}")

    def _attachment(self) -> Attachment:
        try:
            operation = services.UPDATE if self.request.method == "DELETE" else services.READ
            sys_id = self.kwargs.get("sys_id", "")
            return services.attachment_get(sys_id=sys_id, user=self.request.user, operation=operation)
        except RecordMissing:
            raise RecordNotFound() from None

    # --- reading -------------------------------------------------------------------------

    @attachment_schema["list"]
    def list(self, request, *args, **kwargs) -> Response:
        queryset = services.attachments_for(request.user)
        queryset = apply_encoded_query(
            queryset,
            request.query_params.get(QUERY_PARAM),
            user=request.user,
            table=get_table(Attachment.sys_table),
            narrowed=True,  # attachments_for: by the rows of the records they are on
        )
        page = self.paginate_queryset(queryset)
        shape = self._shaper()
        return self.get_paginated_response([shape(attachment) for attachment in page])

    @attachment_schema["retrieve"]
    def retrieve(self, request, *args, **kwargs) -> Response:
        attachment = self._attachment()
        services.check_read(request.user, attachment)
        return Response({"result": self._shaper()(attachment)})

    @attachment_schema["download"]
    def download(self, request, *args, **kwargs) -> FileResponse:
        attachment = self._attachment()
        services.check_read(request.user, attachment)
        response = FileResponse(
            services.attachment_open(attachment),
            content_type=services.download_content_type(attachment),
            as_attachment=True,
            filename=services.download_file_name(attachment),
        )
        response["Content-Length"] = str(attachment.size_bytes)
        metadata = self._shaper(plain=True)(attachment)
        response[METADATA_HEADER] = json.dumps(metadata, ensure_ascii=True, separators=(",", ":"))
        return response

    # --- writing -------------------------------------------------------------------------

    @attachment_schema["upload_raw"]
    def upload_raw(self, request, *args, **kwargs) -> Response:
        params = request.query_params
        raw = request._request
        attachment = services.attachment_add_stream(
            user=request.user,
            table_name=params.get("table_name", ""),
            table_sys_id=params.get("table_sys_id", ""),
            file_name=params.get("file_name", ""),
            content_type=raw.META.get("CONTENT_TYPE", "") or "application/octet-stream",
            chunks=iter(lambda: raw.read(services.CHUNK_BYTES), b""),
            declared_size=_content_length(raw),
        )
        return self._created(attachment)

    @attachment_schema["upload_multipart"]
    def upload_multipart(self, request, *args, **kwargs) -> Response:
        raw = request._request
        declared = _content_length(raw)
        if declared is not None and declared > settings.ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD:
            raise BadRequestBody(f"The file is larger than the limit of {settings.ATTACHMENT_MAX_BYTES} bytes")
        if not (raw.content_type or "").startswith("multipart/form-data"):
            raise BadRequestBody("POST .../attachment/upload takes a multipart/form-data body")
        try:
            form, files = raw.POST, raw.FILES
        except MultiPartParserError as exc:
            raise BadRequestBody(f"Unreadable multipart body: {exc}") from None
        upload = files.get(UPLOAD_FIELD) or next(iter(files.values()), None)
        if upload is None:
            raise BadRequestBody("The multipart body has no file part")
        attachment = services.attachment_add_file(
            user=request.user,
            table_name=form.get("table_name", ""),
            table_sys_id=form.get("table_sys_id", ""),
            file_name=form.get("file_name") or upload.name or "",
            content_type=upload.content_type or "application/octet-stream",
            upload=upload,
        )
        return self._created(attachment)

    def _created(self, attachment: Attachment) -> Response:
        return Response(
            {"result": self._shaper()(attachment)},
            status=status.HTTP_201_CREATED,
            headers={"Location": self._link(attachment)},
        )

    @attachment_schema["rename"]
    def rename(self, request, *args, **kwargs) -> Response:
        attachment = self._attachment()
        body = _json_body(request._request)
        if "file_name" not in body:
            raise BadRequestBody("The request body must give file_name")
        services.attachment_rename(user=request.user, attachment=attachment, file_name=body["file_name"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @attachment_schema["destroy"]
    def destroy(self, request, *args, **kwargs) -> Response:
        attachment = self._attachment()
        services.attachment_delete(user=request.user, attachment=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _json_body(raw) -> dict:
    """A small JSON object body (a rename), read here since the view parses no body itself."""
    try:
        body = json.loads(raw.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise BadRequestBody("The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequestBody("The request body must be a JSON object")
    return body


def _content_length(raw) -> int | None:
    try:
        value = int(raw.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if value < 0:
        raise ApiError("Invalid Content-Length", None)
    return value
