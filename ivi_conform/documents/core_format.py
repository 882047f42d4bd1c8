"""The IVI compliance document's sections and items, as the IVI Driver Core names them.

One table serves both directions: the rules that read a driver's compliance
document, and the writer of the compliance document ivi-conform produces. The
Core says the document shall use "the section and item names as shown"; the
Core's own example document spells some of them differently, so each name
lists the spellings accepted besides the Core's (notes §A.4.4).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """One item of a section: its Core name and the other spellings accepted."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every accepted spelling, the Core's first."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Section:
    """One section of the compliance document."""

    name: str
    aliases: tuple[str, ...] = ()
    items: tuple[Item, ...] = ()
    required: bool = True
    #: Sections whose content is a list of specifications rather than items.
    is_list: bool = False
    #: Sections made of repeated subsections ("Test Setup 1", "Test Setup 2", ...).
    subsection: str = ""

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every accepted spelling, the Core's first."""
        return (self.name, *self.aliases)


SECTIONS: tuple[Section, ...] = (
    Section("Compliance Category", aliases=("IVI Compliance Category",), is_list=True),
    Section(
        "Driver Identification",
        items=(
            Item("Driver Version"),
            Item("Driver Vendor"),
            Item("Driver Identifier", required=False),
            Item("Description", required=False),
            Item("Driver Bitness"),
            Item("Source Code"),
        ),
    ),
    Section(
        "Hardware Information",
        items=(
            Item("Instrument Manufacturer"),
            Item("Supported Instrument Models"),
            Item("Supported Bus Interfaces"),
        ),
    ),
    Section(
        "Software Prerequisites",
        aliases=("Software Prerequisites Information",),
        items=(
            Item("Supported Operating Systems"),
            Item("Driver Dependencies", aliases=("Driver Dependencies (Version)",)),
        ),
    ),
    Section(
        "Unit Testing",
        subsection="Test Setup",
        items=(
            Item("Instrument Model (Firmware Version)"),
            Item("Bus Interface"),
            Item("Operating System", aliases=("Operating System (Version)",)),
            Item("Driver Bitness", aliases=("Bitness",)),
            Item("VISA Vendor and Version", aliases=("VISA Vendor (Version)",), required=False),
            Item(
                "IVI Shared Components Version",
                aliases=("IVI.NET Core Driver Shared Components Version",),
                required=False,
            ),
        ),
    ),
    Section(
        "Driver Installation Testing",
        items=(Item("Operating System", aliases=("Operating System (Version)",)),),
    ),
    #: Required when the driver ships its source, as every Python driver does.
    Section(
        "Driver Buildability",
        items=(Item("Operating System", aliases=("Operating System (Version)",)),),
    ),
    Section("Driver Test Failures", items=(Item("Known Issues"),)),
    Section("Additional Compliance Information", required=False),
)

#: The specifications an IVI-Python driver's Compliance Category shall list.
REQUIRED_SPECIFICATIONS: tuple[str, ...] = (
    "IVI Driver Core Specification",
    "IVI Driver Python Specification",
)

#: The Driver Bitness values the Core allows (its Driver Identification section).
BITNESS_VALUES: tuple[str, ...] = ("32-bit", "64-bit")


def section_named(name: str) -> Section | None:
    """The Core section of that name (the Core's spelling or an accepted one), if any."""
    wanted = name.casefold()
    for section in SECTIONS:
        if any(spelling.casefold() == wanted for spelling in section.spellings):
            return section
    return None
