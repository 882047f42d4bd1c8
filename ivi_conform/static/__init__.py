"""Static facts about a candidate, read from its files and syntax trees without running it.

The source index (modules, classes, members, name resolution), the driver's
landmarks (package, root class, utility and direct-I/O classes), the API's
shape against the IVI ABCs, values stated as constants, the identifier, type
completeness, and the reference tables (VPP-9 vendors, supported CPythons).
"""
