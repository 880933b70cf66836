"""Plan files: reading spreadsheets of actions into plain rows, importing them, exporting them.

Kept in three separable steps so later formats (XLSX, the text export) only add a reader:

    file --(csv_reader)--> PlanFile of ImportRows --(apply.import_plan)--> storage
    Actions --(export.export_rows)--> dicts --(write_csv / write_json)--> stream
"""
