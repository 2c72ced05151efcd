from csm_project.core.bulk.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Load records into a table (wire name, e.g. customer_account, sn_lead_mgmt_core_lead) from CSV "
        "(header row of field names, delimiter detected), JSON lines, a JSON array or the export shape "
        '{"records": [...]}, with the same domain rules as the Table API. Every bad row is listed by line '
        "with its field and reason; by default nothing is written if any row is bad (--skip-bad loads the "
        "good rows and writes the bad ones to a reject file). --upsert updates the records rows match "
        "(by sys_id, or --key COLUMN) and adds the others, so loading a file again finishes an interrupted "
        "load. References are sys_ids; dates YYYY-MM-DD HH:MM:SS (UTC); booleans true/false; record "
        "numbers not in the file are drawn from the table's counter."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("table", help="Wire table name.")
        super().add_arguments(parser)

    def table_name(self, options) -> str:
        return options["table"]
