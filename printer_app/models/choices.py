"""Choices defined once (value, label, colour) and reused by forms, tables, badges, exports and the API."""

from __future__ import annotations

from enum import StrEnum

from printer_app.i18n import N_, gettext


class Choice(StrEnum):
    """A string enum whose members carry a display label and a badge colour."""

    def __new__(cls, value: str, label: str = "", color: str = "gray") -> Choice:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        obj.color = color
        return obj

    @property
    def text(self) -> str:
        """The label in the language of the current event (`label` is the English message)."""
        return gettext(self.label)

    @classmethod
    def options(cls) -> list[tuple[str, str]]:
        """(value, English label) pairs: components translate the labels (`components/i18n.text`)."""
        return [(m.value, m.label) for m in cls]


class MatchRule(Choice):
    SN_MAC = ("SN_MAC", N_("Serial + MAC"), "green")
    MAC_ONLY = ("MAC_ONLY", N_("MAC only"), "blue")
    SN_ONLY = ("SN_ONLY", N_("Serial only"), "amber")
    NONE = ("NONE", N_("Identity not verifiable"), "gray")  # the device and the stored printer have neither


class PollingMethod(Choice):
    SNMP = ("SNMP", N_("SNMP"))
    WEB = ("WEB", N_("Web parsing"))
    USB_API = ("USB_API", N_("USB agent"))
    HYBRID = ("HYBRID", N_("Hybrid (SNMP + Web)"))


class ConnectionType(Choice):
    NETWORK = ("NETWORK", N_("Network"))
    USB = ("USB", N_("USB"))


class DataSource(Choice):
    SNMP_LOCAL = ("SNMP_LOCAL", N_("SNMP"))
    WEB_SCRAPING = ("WEB_SCRAPING", N_("Web"))
    USB_AGENT = ("USB_AGENT", N_("USB agent"))
    XML_IMPORT = ("XML_IMPORT", N_("XML import"))
    HYBRID = ("HYBRID", N_("Hybrid (SNMP + Web)"))


class TaskStatus(Choice):
    SUCCESS = ("SUCCESS", N_("Success"), "green")
    FAILED = ("FAILED", N_("Failed"), "red")
    VALIDATION_ERROR = ("VALIDATION_ERROR", N_("Validation error"), "orange")
    HISTORICAL_INCONSISTENCY = ("HISTORICAL_INCONSISTENCY", N_("History inconsistency"), "amber")
    NEVER_RUN = ("NEVER_RUN", N_("Never polled"), "gray")


class KitStatus(Choice):
    OK = ("OK", N_("OK"), "green")
    WARNING = ("WARNING", N_("Warning"), "amber")


class SupplyKind(Choice):
    TONER = ("toner", N_("Toner"))
    DRUM = ("drum", N_("Drum"))
    DEVELOPER = ("developer", N_("Developer"))
    WASTE = ("waste", N_("Waste container"))
    FUSER = ("fuser", N_("Fuser"))
    TRANSFER = ("transfer", N_("Transfer unit"))
    INK = ("ink", N_("Ink"))
    STAPLES = ("staples", N_("Staples"))
    OTHER = ("other", N_("Other"))


class SupplyColor(Choice):
    BLACK = ("black", N_("Black"), "gray")
    CYAN = ("cyan", N_("Cyan"), "cyan")
    MAGENTA = ("magenta", N_("Magenta"), "pink")
    YELLOW = ("yellow", N_("Yellow"), "yellow")
    OTHER = ("other", N_("Other"), "gray")


class SupplyState(Choice):
    """Printer-MIB level semantics (a percentage, or one of the special values -1/-2/-3) and the status words of web
    pages ("Low", "Replace cartridge", "Error"), which are states and never a number."""

    OK = ("ok", N_("Level known"))
    OTHER = ("other", N_("Other (-1)"))
    UNKNOWN = ("unknown", N_("Unknown (-2)"))
    SOME_REMAINING = ("some_remaining", N_("Some remaining (-3)"))
    LOW = ("low", N_("Low"), "amber")
    EMPTY = ("empty", N_("Empty"), "red")
    ERROR = ("error", N_("Error"), "red")


class ChangeAction(Choice):
    IP_CHANGE = ("ip_change", N_("IP change"))
    SERIAL_UPDATE = ("serial_update", N_("Serial update"))
    MAC_UPDATE = ("mac_update", N_("MAC update"))
    DEACTIVATION = ("deactivation", N_("Deactivation"))
    REPLACEMENT = ("replacement", N_("Replacement"))
    ACTIVATION = ("activation", N_("Activation"))


class TriggeredBy(Choice):
    AUTO_POLL = ("auto_poll", N_("Automatic poll"))
    MANUAL = ("manual", N_("Manual"))


class WebField(Choice):
    SERIAL_NUMBER = ("serial_number", N_("Serial number"))
    MAC_ADDRESS = ("mac_address", N_("MAC address"))
    COUNTER = ("counter", N_("Total counter"))
    COUNTER_A4_BW = ("counter_a4_bw", N_("A4 B/W"))
    COUNTER_A3_BW = ("counter_a3_bw", N_("A3 B/W"))
    COUNTER_A4_COLOR = ("counter_a4_color", N_("A4 colour"))
    COUNTER_A3_COLOR = ("counter_a3_color", N_("A3 colour"))
    TONER_BLACK = ("toner_black", N_("Toner K"))
    TONER_CYAN = ("toner_cyan", N_("Toner C"))
    TONER_MAGENTA = ("toner_magenta", N_("Toner M"))
    TONER_YELLOW = ("toner_yellow", N_("Toner Y"))
    DRUM_BLACK = ("drum_black", N_("Drum K"))
    DRUM_CYAN = ("drum_cyan", N_("Drum C"))
    DRUM_MAGENTA = ("drum_magenta", N_("Drum M"))
    DRUM_YELLOW = ("drum_yellow", N_("Drum Y"))
    VARIABLE_1 = ("variable_1", N_("Variable 1"))
    VARIABLE_2 = ("variable_2", N_("Variable 2"))
    VARIABLE_3 = ("variable_3", N_("Variable 3"))
    VARIABLE_4 = ("variable_4", N_("Variable 4"))
    VARIABLE_5 = ("variable_5", N_("Variable 5"))


class WebProtocol(Choice):
    HTTP = ("http", N_("http"))
    HTTPS = ("https", N_("https"))


class DeviceType(Choice):
    PRINTER = ("printer", N_("Printer"))
    SCANNER = ("scanner", N_("Scanner"))
    OTHER = ("other", N_("Other"))


class CartridgeColor(Choice):
    BLACK = ("black", N_("Black"))
    CYAN = ("cyan", N_("Cyan"))
    MAGENTA = ("magenta", N_("Magenta"))
    YELLOW = ("yellow", N_("Yellow"))
    COLOR = ("color", N_("Colour (tri-colour)"))
    OTHER = ("other", N_("Other"))


class IssueTracker(Choice):
    OKDESK = ("okdesk", N_("Okdesk"))
    NONE = ("none", N_("None"))


class PaperFormat(Choice):
    A4 = ("A4", N_("A4"))
    A3 = ("A3", N_("A3"))
    A4A3 = ("A4A3", N_("A4 + A3"))


class ChangeSource(Choice):
    MANUAL = ("manual", N_("Manual"))
    EXCEL_UPLOAD = ("excel_upload", N_("Excel upload"))
    AUTO_SYNC = ("auto_sync", N_("Auto sync"))


class BulkOperation(Choice):
    EXCEL_UPLOAD = ("excel_upload", N_("Excel upload"))
    BULK_SYNC = ("bulk_sync", N_("Bulk sync"))
    BULK_EDIT = ("bulk_edit", N_("Bulk edit"))
    MONTH_DELETE = ("month_delete", N_("Month delete"))


class ReportUploadStatus(Choice):
    ANALYSED = ("analysed", N_("Analysed"))
    QUEUED = ("queued", N_("Queued"))
    RUNNING = ("running", N_("Importing"))
    DONE = ("done", N_("Imported"))
    FAILED = ("failed", N_("Failed"))


class AuditAction(Choice):
    CREATE = ("create", N_("Created"))
    UPDATE = ("update", N_("Updated"))
    DELETE = ("delete", N_("Deleted"))


class ImportRowClass(Choice):
    """How a row of a contracts workbook relates to what is stored (DOMAIN 8.3)."""

    ERROR = ("ERROR", N_("Error"), "red")
    NEW = ("NEW", N_("New"), "green")
    MATCH = ("MATCH", N_("Match"), "blue")
    MOVED = ("MOVED", N_("Moved"), "amber")
    DUP_IN_FILE = ("DUP_IN_FILE", N_("Duplicate in files"), "orange")


class ImportDecision(Choice):
    PENDING = ("pending", N_("Pending"), "gray")
    APPLY = ("apply", N_("Apply"), "green")
    SKIP = ("skip", N_("Skip"), "gray")


class ImportSessionStatus(Choice):
    OPEN = ("open", N_("Open"), "blue")
    APPLYING = ("applying", N_("Applying"), "amber")
    APPLIED = ("applied", N_("Applied"), "green")
    FAILED = ("failed", N_("Failed"), "red")
