"""Choices defined once (value, label, colour) and reused by forms, tables, badges, exports and the API."""

from __future__ import annotations

from enum import StrEnum


class Choice(StrEnum):
    """A string enum whose members carry a display label and a badge colour."""

    def __new__(cls, value: str, label: str = "", color: str = "gray") -> Choice:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        obj.color = color
        return obj

    @classmethod
    def options(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class MatchRule(Choice):
    SN_MAC = ("SN_MAC", "Serial + MAC", "green")
    MAC_ONLY = ("MAC_ONLY", "MAC only", "blue")
    SN_ONLY = ("SN_ONLY", "Serial only", "amber")
    NONE = ("NONE", "Identity not verifiable", "gray")  # the device and the stored printer have neither


class PollingMethod(Choice):
    SNMP = ("SNMP", "SNMP")
    WEB = ("WEB", "Web parsing")
    USB_API = ("USB_API", "USB agent")
    HYBRID = ("HYBRID", "Hybrid (SNMP + Web)")


class ConnectionType(Choice):
    NETWORK = ("NETWORK", "Network")
    USB = ("USB", "USB")


class DataSource(Choice):
    SNMP_LOCAL = ("SNMP_LOCAL", "SNMP")
    WEB_SCRAPING = ("WEB_SCRAPING", "Web")
    USB_AGENT = ("USB_AGENT", "USB agent")
    XML_IMPORT = ("XML_IMPORT", "XML import")
    HYBRID = ("HYBRID", "Hybrid (SNMP + Web)")


class TaskStatus(Choice):
    SUCCESS = ("SUCCESS", "Success", "green")
    FAILED = ("FAILED", "Failed", "red")
    VALIDATION_ERROR = ("VALIDATION_ERROR", "Validation error", "orange")
    HISTORICAL_INCONSISTENCY = ("HISTORICAL_INCONSISTENCY", "History inconsistency", "amber")
    NEVER_RUN = ("NEVER_RUN", "Never polled", "gray")


class KitStatus(Choice):
    OK = ("OK", "OK", "green")
    WARNING = ("WARNING", "Warning", "amber")


class SupplyKind(Choice):
    TONER = ("toner", "Toner")
    DRUM = ("drum", "Drum")
    DEVELOPER = ("developer", "Developer")
    WASTE = ("waste", "Waste container")
    FUSER = ("fuser", "Fuser")
    TRANSFER = ("transfer", "Transfer unit")
    INK = ("ink", "Ink")
    STAPLES = ("staples", "Staples")
    OTHER = ("other", "Other")


class SupplyColor(Choice):
    BLACK = ("black", "Black", "gray")
    CYAN = ("cyan", "Cyan", "cyan")
    MAGENTA = ("magenta", "Magenta", "pink")
    YELLOW = ("yellow", "Yellow", "yellow")
    OTHER = ("other", "Other", "gray")


class SupplyState(Choice):
    """Printer-MIB level semantics (a percentage, or one of the special values -1/-2/-3) and the status words of web
    pages ("Low", "Replace cartridge", "Error"), which are states and never a number."""

    OK = ("ok", "Level known")
    OTHER = ("other", "Other (-1)")
    UNKNOWN = ("unknown", "Unknown (-2)")
    SOME_REMAINING = ("some_remaining", "Some remaining (-3)")
    LOW = ("low", "Low", "amber")
    EMPTY = ("empty", "Empty", "red")
    ERROR = ("error", "Error", "red")


class ChangeAction(Choice):
    IP_CHANGE = ("ip_change", "IP change")
    SERIAL_UPDATE = ("serial_update", "Serial update")
    MAC_UPDATE = ("mac_update", "MAC update")
    DEACTIVATION = ("deactivation", "Deactivation")
    REPLACEMENT = ("replacement", "Replacement")
    ACTIVATION = ("activation", "Activation")


class TriggeredBy(Choice):
    AUTO_POLL = ("auto_poll", "Automatic poll")
    MANUAL = ("manual", "Manual")


class WebField(Choice):
    SERIAL_NUMBER = ("serial_number", "Serial number")
    MAC_ADDRESS = ("mac_address", "MAC address")
    COUNTER = ("counter", "Total counter")
    COUNTER_A4_BW = ("counter_a4_bw", "A4 B/W")
    COUNTER_A3_BW = ("counter_a3_bw", "A3 B/W")
    COUNTER_A4_COLOR = ("counter_a4_color", "A4 colour")
    COUNTER_A3_COLOR = ("counter_a3_color", "A3 colour")
    TONER_BLACK = ("toner_black", "Toner K")
    TONER_CYAN = ("toner_cyan", "Toner C")
    TONER_MAGENTA = ("toner_magenta", "Toner M")
    TONER_YELLOW = ("toner_yellow", "Toner Y")
    DRUM_BLACK = ("drum_black", "Drum K")
    DRUM_CYAN = ("drum_cyan", "Drum C")
    DRUM_MAGENTA = ("drum_magenta", "Drum M")
    DRUM_YELLOW = ("drum_yellow", "Drum Y")
    VARIABLE_1 = ("variable_1", "Variable 1")
    VARIABLE_2 = ("variable_2", "Variable 2")
    VARIABLE_3 = ("variable_3", "Variable 3")
    VARIABLE_4 = ("variable_4", "Variable 4")
    VARIABLE_5 = ("variable_5", "Variable 5")


class WebProtocol(Choice):
    HTTP = ("http", "http")
    HTTPS = ("https", "https")


class DeviceType(Choice):
    PRINTER = ("printer", "Printer")
    SCANNER = ("scanner", "Scanner")
    OTHER = ("other", "Other")


class CartridgeColor(Choice):
    BLACK = ("black", "Black")
    CYAN = ("cyan", "Cyan")
    MAGENTA = ("magenta", "Magenta")
    YELLOW = ("yellow", "Yellow")
    COLOR = ("color", "Colour (tri-colour)")
    OTHER = ("other", "Other")


class IssueTracker(Choice):
    OKDESK = ("okdesk", "Okdesk")
    NONE = ("none", "None")


class PaperFormat(Choice):
    A4 = ("A4", "A4")
    A3 = ("A3", "A3")
    A4A3 = ("A4A3", "A4 + A3")


class ChangeSource(Choice):
    MANUAL = ("manual", "Manual")
    EXCEL_UPLOAD = ("excel_upload", "Excel upload")
    AUTO_SYNC = ("auto_sync", "Auto sync")


class BulkOperation(Choice):
    EXCEL_UPLOAD = ("excel_upload", "Excel upload")
    BULK_SYNC = ("bulk_sync", "Bulk sync")
    BULK_EDIT = ("bulk_edit", "Bulk edit")
    MONTH_DELETE = ("month_delete", "Month delete")


class AuditAction(Choice):
    CREATE = ("create", "Created")
    UPDATE = ("update", "Updated")
    DELETE = ("delete", "Deleted")
