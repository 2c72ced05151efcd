"""How multipart file parts are spooled while a request is read (``settings.FILE_UPLOAD_HANDLERS``)."""

from django.core.files.uploadhandler import TemporaryFileUploadHandler

from csm_project.attachments.services import SpooledUpload


class UnnamedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for parts too large for memory, spooling to a file with no name on disk
    (``services.spool_file``) instead of a named one: the named file of a worker killed
    mid-upload stays in the temporary folder forever."""

    def new_file(self, *args, **kwargs) -> None:
        super(TemporaryFileUploadHandler, self).new_file(*args, **kwargs)
        self.file = SpooledUpload(self.file_name, self.content_type, 0, self.charset, self.content_type_extra)
