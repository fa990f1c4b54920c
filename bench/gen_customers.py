#!/usr/bin/env python3
"""Writes N customers in UCM's export format (every field quoted, trailing comma, LF).

Usage: bench/gen_customers.py N > customers.csv
Names, emails and phones are deterministic (seeded), with some accents and shared surnames so
that searches hit realistic numbers of rows.
"""
import random
import sys

FIRST = ["Alice", "Bob", "Carol", "Dan", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Zoë",
         "Renée", "Jörg", "Siobhán", "Mateo", "Aroha", "Wei", "Priya", "Olu", "Ngozi"]
LAST = ["Anderson", "Brown", "Chen", "Dorsey", "Evans", "Fischer", "García", "Huang", "Ivanova",
        "Jones", "Kowalski", "López", "Müller", "Nguyen", "O'Brien", "Patel", "Quinn", "Rossi"]
WORDS = ["Acme", "Widgets", "Bakery", "Roofing", "Printing", "Dynamics", "Events", "Zoo", "Café",
         "Studio", "Labs", "Garden", "Plumbing", "Consulting", "Design", "Logistics", "Media"]
SUFFIX = ["Pty Ltd", "Ltd", "GmbH", "LLC", "& Co", "Inc", ""]
CITIES = [("Brisbane", "QLD", "4000"), ("Sydney", "NSW", "2000"), ("Melbourne", "VIC", "3000"),
          ("Perth", "WA", "6000"), ("Hobart", "TAS", "7000"), ("Darwin", "NT", "0800")]
HEADER = ["Customer ID", "Customer Name", "Credit", "Address Line 1", "Address Line 2",
          "Address Suburb", "Address Country", "Address State", "Address Region",
          "Address Post Code", "Primary Contact First Name", "Primary Contact Last Name",
          "Primary Phone", "Primary Email", "Primary Fax", "Primary Mobile", "Primary Language",
          "Invoice Prefix", "Tax Name", "Tax Rate", "Staff", "Customer Group"]


def q(v):
    return '"' + str(v).replace('"', '""') + '"'


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rnd = random.Random(42)
    out = sys.stdout
    out.write(",".join(q(h) for h in HEADER) + ",\n")
    for i in range(1, n + 1):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        name = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {rnd.choice(SUFFIX)} {i}".replace("  ", " ")
        city, state, post = rnd.choice(CITIES)
        row = ["", name, f"{rnd.randint(0, 50000) / 100:.2f}", f"{rnd.randint(1, 999)} Main St", "",
               city, "Australia", state, "", post, first, last,
               f"+61 7 {rnd.randint(1000, 9999)} {rnd.randint(1000, 9999)}",
               f"{first.lower()}.{i}@example{i % 97}.test", "", f"04{rnd.randint(10000000, 99999999)}",
               "en", "", "", "-1.00", "", ""]
        out.write(",".join(q(v) for v in row) + ",\n")


if __name__ == "__main__":
    main()
