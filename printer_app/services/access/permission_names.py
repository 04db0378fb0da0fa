"""The names of the model permissions ("Can add printer"), each a whole message translators see as a sentence.

A name built from a template and a model name would not decline in Russian; roles.py checks that every CRUD
permission of its models has its name here.
"""

from __future__ import annotations

from printer_app.i18n import N_

CRUD_NAMES: dict[str, str] = {
    "inventory.add_printer": N_("Can add printer"),
    "inventory.change_printer": N_("Can change printer"),
    "inventory.delete_printer": N_("Can delete printer"),
    "inventory.view_printer": N_("Can view printer"),
    "inventory.add_organization": N_("Can add organization"),
    "inventory.change_organization": N_("Can change organization"),
    "inventory.delete_organization": N_("Can delete organization"),
    "inventory.view_organization": N_("Can view organization"),
    "inventory.add_inventorytask": N_("Can add inventory task"),
    "inventory.change_inventorytask": N_("Can change inventory task"),
    "inventory.delete_inventorytask": N_("Can delete inventory task"),
    "inventory.view_inventorytask": N_("Can view inventory task"),
    "inventory.add_pagecounter": N_("Can add page counter"),
    "inventory.change_pagecounter": N_("Can change page counter"),
    "inventory.delete_pagecounter": N_("Can delete page counter"),
    "inventory.view_pagecounter": N_("Can view page counter"),
    "inventory.add_webparsingrule": N_("Can add web parsing rule"),
    "inventory.change_webparsingrule": N_("Can change web parsing rule"),
    "inventory.delete_webparsingrule": N_("Can delete web parsing rule"),
    "inventory.view_webparsingrule": N_("Can view web parsing rule"),
    "contracts.add_contractdevice": N_("Can add contract device"),
    "contracts.change_contractdevice": N_("Can change contract device"),
    "contracts.delete_contractdevice": N_("Can delete contract device"),
    "contracts.view_contractdevice": N_("Can view contract device"),
    "contracts.add_city": N_("Can add city"),
    "contracts.change_city": N_("Can change city"),
    "contracts.delete_city": N_("Can delete city"),
    "contracts.view_city": N_("Can view city"),
    "contracts.add_manufacturer": N_("Can add manufacturer"),
    "contracts.change_manufacturer": N_("Can change manufacturer"),
    "contracts.delete_manufacturer": N_("Can delete manufacturer"),
    "contracts.view_manufacturer": N_("Can view manufacturer"),
    "contracts.add_devicemodel": N_("Can add device model"),
    "contracts.change_devicemodel": N_("Can change device model"),
    "contracts.delete_devicemodel": N_("Can delete device model"),
    "contracts.view_devicemodel": N_("Can view device model"),
    "contracts.add_cartridge": N_("Can add cartridge"),
    "contracts.change_cartridge": N_("Can change cartridge"),
    "contracts.delete_cartridge": N_("Can delete cartridge"),
    "contracts.view_cartridge": N_("Can view cartridge"),
    "contracts.add_devicemodelcartridge": N_("Can add device model cartridge"),
    "contracts.change_devicemodelcartridge": N_("Can change device model cartridge"),
    "contracts.delete_devicemodelcartridge": N_("Can delete device model cartridge"),
    "contracts.view_devicemodelcartridge": N_("Can view device model cartridge"),
    "contracts.add_contractstatus": N_("Can add contract status"),
    "contracts.change_contractstatus": N_("Can change contract status"),
    "contracts.delete_contractstatus": N_("Can delete contract status"),
    "contracts.view_contractstatus": N_("Can view contract status"),
    "contracts.add_serviceprovider": N_("Can add service provider"),
    "contracts.change_serviceprovider": N_("Can change service provider"),
    "contracts.delete_serviceprovider": N_("Can delete service provider"),
    "contracts.view_serviceprovider": N_("Can view service provider"),
}
