//! CSV import of customers and contacts: detects the encoding, delimiter and header row, maps
//! columns by header text (UCM's own export and other tools' names), matches rows to existing
//! customers and applies the whole file in one transaction.

pub mod reader;
pub mod uploads;

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::Arc;

use sea_orm::ConnectionTrait;
use ucm_types::{
    Address, ColumnMapping, IgnoredColumn, ImportReport, PreviewRow, RowAction, RowMessage,
    SkippedRow,
};

use self::reader::{swallowed_rows, Record, RecordReader, TextEncoding};

use super::contacts::{self, ContactFields};
use super::customers::{self, CustomerFields, DEFAULT_TYPE_ID};
use super::lookups;
use crate::db::{query_all, query_one, Db, WriteTxn};
use crate::domain::{self, fold, optional_text, split_full_name, EmailAddress};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    CustomerId,
    CustomerName,
    CustomerNumber,
    CustomerType,
    Credit,
    Line1,
    Line2,
    Suburb,
    State,
    Region,
    Country,
    PostCode,
    FirstName,
    LastName,
    ContactName,
    Email,
    Phone,
    Mobile,
    Fax,
    Language,
    Position,
    InvoicePrefix,
    TaxName,
    TaxRate,
    Staff,
    Groups,
    /// A note added to the customer's notes (UCM's `Notes` column).
    Notes,
    /// A further contact of the row, from a numbered column group (`Contact 2 Email`).
    Grouped(u8, ContactPart),
}

/// The parts of a contact a numbered column group can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContactPart {
    FirstName,
    LastName,
    Name,
    Email,
    Phone,
    Mobile,
    Fax,
    Language,
    Position,
}

impl ContactPart {
    const ALL: [ContactPart; 9] = [
        ContactPart::FirstName,
        ContactPart::LastName,
        ContactPart::Name,
        ContactPart::Email,
        ContactPart::Phone,
        ContactPart::Mobile,
        ContactPart::Fax,
        ContactPart::Language,
        ContactPart::Position,
    ];

    /// The row's own contact field of the same kind.
    fn of(f: Field) -> Option<ContactPart> {
        Some(match f {
            Field::FirstName => ContactPart::FirstName,
            Field::LastName => ContactPart::LastName,
            Field::ContactName => ContactPart::Name,
            Field::Email => ContactPart::Email,
            Field::Phone => ContactPart::Phone,
            Field::Mobile => ContactPart::Mobile,
            Field::Fax => ContactPart::Fax,
            Field::Language => ContactPart::Language,
            Field::Position => ContactPart::Position,
            _ => return None,
        })
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The row's own contact field of this kind.
    fn own(self) -> Field {
        match self {
            ContactPart::FirstName => Field::FirstName,
            ContactPart::LastName => Field::LastName,
            ContactPart::Name => Field::ContactName,
            ContactPart::Email => Field::Email,
            ContactPart::Phone => Field::Phone,
            ContactPart::Mobile => Field::Mobile,
            ContactPart::Fax => Field::Fax,
            ContactPart::Language => Field::Language,
            ContactPart::Position => Field::Position,
        }
    }
}

/// Numbered contact groups run from `Contact 2` to `Contact 9` (`Contact 1` is the row's own
/// contact).
pub const FIRST_GROUP: u8 = 2;
pub const LAST_GROUP: u8 = 9;

macro_rules! group_texts {
    ($prefix:literal, $sep:literal, $($n:literal),*) => {
        [$([
            concat!($prefix, $n, $sep, "first_name"),
            concat!($prefix, $n, $sep, "last_name"),
            concat!($prefix, $n, $sep, "name"),
            concat!($prefix, $n, $sep, "email"),
            concat!($prefix, $n, $sep, "phone"),
            concat!($prefix, $n, $sep, "mobile"),
            concat!($prefix, $n, $sep, "fax"),
            concat!($prefix, $n, $sep, "language"),
            concat!($prefix, $n, $sep, "position"),
        ]),*]
    };
}
const GROUP_NAMES: [[&str; 9]; 8] = group_texts!("contact", ".", 2, 3, 4, 5, 6, 7, 8, 9);
const GROUP_LABELS: [[&str; 9]; 8] = group_texts!("Contact ", " ", 2, 3, 4, 5, 6, 7, 8, 9);

impl Field {
    /// Every field of a column group, for the wizard's choices.
    pub fn group_fields(group: u8) -> impl Iterator<Item = Field> {
        ContactPart::ALL
            .into_iter()
            .map(move |p| Field::Grouped(group, p))
    }

    pub const ALL: [Field; 27] = [
        Field::CustomerId,
        Field::CustomerName,
        Field::CustomerNumber,
        Field::CustomerType,
        Field::Credit,
        Field::Line1,
        Field::Line2,
        Field::Suburb,
        Field::State,
        Field::Region,
        Field::Country,
        Field::PostCode,
        Field::FirstName,
        Field::LastName,
        Field::ContactName,
        Field::Email,
        Field::Phone,
        Field::Mobile,
        Field::Fax,
        Field::Language,
        Field::Position,
        Field::InvoicePrefix,
        Field::TaxName,
        Field::TaxRate,
        Field::Staff,
        Field::Groups,
        Field::Notes,
    ];

    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .chain((FIRST_GROUP..=LAST_GROUP).flat_map(Field::group_fields))
            .find(|f| f.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Field::CustomerId => "customer_id",
            Field::CustomerName => "customer_name",
            Field::CustomerNumber => "customer_number",
            Field::CustomerType => "customer_type",
            Field::Credit => "credit",
            Field::Line1 => "address.line_1",
            Field::Line2 => "address.line_2",
            Field::Suburb => "address.suburb",
            Field::State => "address.state",
            Field::Region => "address.region",
            Field::Country => "address.country",
            Field::PostCode => "address.post_code",
            Field::FirstName => "contact.first_name",
            Field::LastName => "contact.last_name",
            Field::ContactName => "contact.name",
            Field::Email => "contact.email",
            Field::Phone => "contact.phone",
            Field::Mobile => "contact.mobile",
            Field::Fax => "contact.fax",
            Field::Language => "contact.language",
            Field::Position => "contact.position",
            Field::InvoicePrefix => "default_invoice_prefix",
            Field::TaxName => "default_tax.name",
            Field::TaxRate => "default_tax.rate",
            Field::Staff => "staff",
            Field::Groups => "groups",
            Field::Notes => "notes",
            Field::Grouped(g, p) => GROUP_NAMES[usize::from(g - FIRST_GROUP)][p.index()],
        }
    }
}

impl Field {
    /// How the wizard names the field.
    pub fn label(self) -> &'static str {
        match self {
            Field::CustomerId => "Customer ID (match key)",
            Field::CustomerName => "Customer name",
            Field::CustomerNumber => "Customer number",
            Field::CustomerType => "Customer type",
            Field::Credit => "Credit",
            Field::Line1 => "Address line 1",
            Field::Line2 => "Address line 2",
            Field::Suburb => "Address suburb / city",
            Field::State => "Address state",
            Field::Region => "Address region",
            Field::Country => "Address country",
            Field::PostCode => "Address post code",
            Field::FirstName => "Contact first name",
            Field::LastName => "Contact last name",
            Field::ContactName => "Contact full name",
            Field::Email => "Contact email",
            Field::Phone => "Contact phone",
            Field::Mobile => "Contact mobile",
            Field::Fax => "Contact fax",
            Field::Language => "Contact language",
            Field::Position => "Contact position",
            Field::InvoicePrefix => "Invoice prefix",
            Field::TaxName => "Tax name",
            Field::TaxRate => "Tax rate",
            Field::Staff => "Staff (comma-separated)",
            Field::Groups => "Groups (comma-separated)",
            Field::Notes => "Note (added to the customer's notes)",
            Field::Grouped(g, p) => GROUP_LABELS[usize::from(g - FIRST_GROUP)][p.index()],
        }
    }
}

/// Where a column goes: one of ucm's fields, or an extra field of the customer by key
/// (`extra:<key>`, UCM's import column for its extra fields).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Field(Field),
    Extra(String),
}

impl Target {
    pub fn from_name(name: &str) -> Result<Target, String> {
        if let Some(key) = strip_extra_prefix(name) {
            return super::extra::parse_key(key).map(Target::Extra);
        }
        Field::from_name(name).map(Target::Field).ok_or_else(|| {
            format!(
                "unknown field {name:?}; one of {}, contact2.email ... contact9.position for a further contact, or extra:<name> for an extra field",
                Field::ALL.map(Field::name).join(", ")
            )
        })
    }

    pub fn name(&self) -> std::borrow::Cow<'static, str> {
        match self {
            Target::Field(f) => f.name().into(),
            Target::Extra(key) => format!("extra:{key}").into(),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Target::Field(f) => f.label().to_owned(),
            Target::Extra(key) => format!("Extra field \u{201c}{key}\u{201d}"),
        }
    }
}

/// The key of an `extra:<key>` header or field name (the prefix in any case).
fn strip_extra_prefix(s: &str) -> Option<&str> {
    let s = s.trim();
    s.get(..6)
        .filter(|p| p.eq_ignore_ascii_case("extra:"))
        .map(|_| &s[6..])
}

/// The wizard's settings as import options; a mapping naming an unknown field or the same
/// column twice is refused (422 on `columns`).
pub fn options_from(s: &ucm_types::ImportSettings, dry_run: bool) -> AppResult<ImportOptions> {
    let mut columns = HashMap::new();
    for choice in &s.columns {
        let col = usize::try_from(choice.column)
            .ok()
            .filter(|c| *c >= 1)
            .ok_or_else(|| AppError::field("columns", "a column is a number from 1"))?;
        let field = match choice.field.as_deref() {
            None | Some("ignore") | Some("") => None,
            Some(name) => Some(
                Target::from_name(name)
                    .map_err(|e| AppError::field("columns", format!("column {col}: {e}")))?,
            ),
        };
        if columns.insert(col, field).is_some() {
            return Err(AppError::field(
                "columns",
                format!("column {col} is mapped twice"),
            ));
        }
    }
    Ok(ImportOptions {
        dry_run,
        match_id: s.match_id,
        match_email: s.match_email,
        match_name: s.match_name,
        clear_blanks: s.clear_blanks,
        all_or_nothing: s.all_or_nothing,
        columns,
    })
}

/// Lower case, with `_ - / . :` as spaces and runs of spaces collapsed: `Billing Apt/Suite`
/// and `billing_apt-suite` both become `billing apt suite`.
pub fn normalize_header(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| if "_-/.:".contains(c) { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

const ALIASES: &[(Field, &[&str])] = &[
    (
        Field::Notes,
        &["notes", "note", "customer notes", "client notes"],
    ),
    (Field::CustomerId, &["customer id", "client id"]),
    (
        Field::CustomerName,
        &[
            "customer name",
            "company",
            "company name",
            "organization",
            "organisation",
            "organization name",
            "organisation name",
            "business name",
            "client name",
            "client",
            "customer",
            "display name",
            "account name",
        ],
    ),
    (
        Field::CustomerNumber,
        &[
            "customer number",
            "client number",
            "id number",
            "account number",
            "customer no",
        ],
    ),
    (Field::CustomerType, &["customer type", "type"]),
    (Field::Credit, &["credit", "customer credit"]),
    (
        Field::Line1,
        &[
            "address line 1",
            "address line1",
            "billing street",
            "billing address",
            "billing address 1",
            "street",
            "address 1",
            "address1",
            "address",
            "street address",
            "address 1 street",
            "business street",
            "line 1",
        ],
    ),
    (
        Field::Line2,
        &[
            "address line 2",
            "address line2",
            "billing apt suite",
            "billing street2",
            "billing street 2",
            "billing address 2",
            "address 2",
            "address2",
            "apt suite",
            "business street 2",
            "line 2",
            "address 1 extended address",
        ],
    ),
    (
        Field::Suburb,
        &[
            "address suburb",
            "suburb",
            "city",
            "billing city",
            "town",
            "locality",
            "address 1 city",
            "business city",
        ],
    ),
    (
        Field::State,
        &[
            "address state",
            "state",
            "province",
            "state province",
            "province state",
            "billing state",
            "billing state province",
            "billing province",
            "address 1 region",
            "business state",
        ],
    ),
    (Field::Region, &["address region", "region"]),
    (
        Field::Country,
        &[
            "address country",
            "country",
            "billing country",
            "address 1 country",
            "business country",
        ],
    ),
    (
        Field::PostCode,
        &[
            "address post code",
            "post code",
            "postcode",
            "postal code",
            "zip",
            "zip code",
            "billing postal code",
            "billing zip",
            "billing code",
            "postal code zip code",
            "address 1 postal code",
            "business postal code",
        ],
    ),
    (
        Field::FirstName,
        &[
            "primary contact first name",
            "first name",
            "firstname",
            "given name",
            "contact first name",
            "fname",
        ],
    ),
    (
        Field::LastName,
        &[
            "primary contact last name",
            "last name",
            "lastname",
            "family name",
            "surname",
            "contact last name",
            "lname",
        ],
    ),
    (
        Field::ContactName,
        &[
            "contact name",
            "contact",
            "full name",
            "primary contact",
            "primary contact name",
        ],
    ),
    (
        Field::Email,
        &[
            "primary email",
            "email",
            "e mail",
            "email address",
            "e mail address",
            "emailid",
            "email id",
            "e mail 1 value",
            "contact email",
            "email 1",
        ],
    ),
    (
        Field::Phone,
        &[
            "primary phone",
            "phone",
            "phone number",
            "telephone",
            "tel",
            "business phone",
            "work phone",
            "phone 1 value",
            "contact phone",
            "billing phone",
        ],
    ),
    (
        Field::Mobile,
        &[
            "primary mobile",
            "mobile",
            "mobile phone",
            "mobilephone",
            "cell",
            "cell phone",
            "mobile number",
        ],
    ),
    (
        Field::Fax,
        &[
            "primary fax",
            "fax",
            "business fax",
            "billing fax",
            "fax number",
        ],
    ),
    (Field::Language, &["primary language", "language"]),
    (
        Field::Position,
        &["position", "job title", "designation", "organization title"],
    ),
    (Field::InvoicePrefix, &["invoice prefix"]),
    (Field::TaxName, &["tax name"]),
    (Field::TaxRate, &["tax rate"]),
    (Field::Staff, &["staff", "assigned staff"]),
    (
        Field::Groups,
        &["customer group", "customer groups", "group", "groups"],
    ),
];

/// Maps one header to a field. `type_names` are the folded customer type names, for UCM's
/// type-named columns (`Lead ID`, `Lead Name`, `Lead Group`); `has_company` turns a plain
/// `Name` column into the contact's name when another column holds the company.
fn map_header(h: &str, type_names: &[String], has_company: bool) -> Option<Field> {
    let n = normalize_header(h);
    if n.is_empty() {
        return None;
    }
    if let Some((group, rest)) = numbered_contact(&n) {
        let own = if rest == "name" {
            Some(Field::ContactName)
        } else {
            map_header(&format!("contact {rest}"), &[], true)
                .filter(|f| ContactPart::of(*f).is_some())
                .or_else(|| map_header(rest, &[], true))
        };
        let own = own.filter(|f| ContactPart::of(*f).is_some())?;
        return Some(match group {
            1 => own,
            g => Field::Grouped(g, ContactPart::of(own)?),
        });
    }
    if n == "name" {
        return Some(if has_company {
            Field::ContactName
        } else {
            Field::CustomerName
        });
    }
    for t in type_names {
        if let Some(rest) = n.strip_prefix(t.as_str()).and_then(|r| r.strip_prefix(' ')) {
            match rest {
                "id" => return Some(Field::CustomerId),
                "name" => return Some(Field::CustomerName),
                "group" => return Some(Field::Groups),
                "number" => return Some(Field::CustomerNumber),
                _ => {}
            }
        }
    }
    ALIASES
        .iter()
        .find(|(_, names)| names.contains(&n.as_str()))
        .map(|(f, _)| *f)
}

/// `contact 2 email`, `contact2 email`, `contact #3 phone` → (2, "email"), ...: the group
/// number (1 to 9) and the rest of a normalized header.
fn numbered_contact(n: &str) -> Option<(u8, &str)> {
    let rest = n.strip_prefix("contact")?.trim_start();
    let rest = rest.strip_prefix('#').unwrap_or(rest).trim_start();
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let group: u8 = rest[..digits].parse().ok()?;
    let rest = rest[digits..].strip_prefix(' ')?.trim();
    ((1..=LAST_GROUP).contains(&group) && !rest.is_empty()).then_some((group, rest))
}

fn is_company_header(h: &str) -> bool {
    let n = normalize_header(h);
    ALIASES
        .iter()
        .any(|(f, names)| *f == Field::CustomerName && names.contains(&n.as_str()))
}

/// The mapping of one file: for each field, the columns that feed it, in file order.
struct Mapping {
    columns: HashMap<Field, Vec<usize>>,
    /// Extra field key → the columns that feed it, in the order the keys first appear.
    extra: Vec<(String, Vec<usize>)>,
    headers: Vec<String>,
    type_hint: Option<String>,
}

impl Mapping {
    /// The numbered contact groups the file has, in order.
    fn contact_groups(&self) -> Vec<u8> {
        let mut groups: Vec<u8> = self
            .columns
            .keys()
            .filter_map(|f| match f {
                Field::Grouped(g, _) => Some(*g),
                _ => None,
            })
            .collect();
        groups.sort_unstable();
        groups.dedup();
        groups
    }
}

/// The automatic target of each header: `extra:<key>` columns, then ucm's fields by header
/// text, then a header that names an extra field already in use (UCM's export writes its extra
/// fields under their plain names). Keys differing only in case take the stored spelling.
fn auto_targets(
    headers: &[String],
    type_names: &[String],
    extra_keys: &[String],
) -> Vec<Option<Target>> {
    let has_company = headers.iter().any(|h| is_company_header(h));
    headers
        .iter()
        .map(|h| {
            if let Some(key) = strip_extra_prefix(h) {
                let key = super::extra::parse_key(key).ok()?;
                return Some(Target::Extra(stored_spelling(extra_keys, key)));
            }
            if RESERVED_HEADERS.contains(&normalize_header(h).as_str()) {
                return None;
            }
            map_header(h, type_names, has_company)
                .map(Target::Field)
                .or_else(|| {
                    let key = super::extra::parse_key(h).ok()?;
                    let stored = stored_spelling(extra_keys, key);
                    extra_keys
                        .contains(&stored)
                        .then_some(Target::Extra(stored))
                })
        })
        .collect()
}

/// UCM import columns ucm does not read; never taken for an extra field of the same name.
const RESERVED_HEADERS: [&str; 2] = ["password", "user role name"];

/// The key as stored: exactly `key` when that is in use, else the one stored key that differs
/// from it only in case (the first in order, should there be several), else `key` itself.
/// Exact first, so keys that differ only in case each keep their own column.
fn stored_spelling(stored: &[String], key: String) -> String {
    if stored.contains(&key) {
        return key;
    }
    let folded = key.to_lowercase();
    stored
        .iter()
        .find(|s| s.to_lowercase() == folded)
        .cloned()
        .unwrap_or(key)
}

fn build_mapping(
    headers: &[String],
    auto: &[Option<Target>],
    type_names: &[String],
    overrides: &HashMap<usize, Option<Target>>,
) -> (Mapping, Vec<ColumnMapping>, Vec<usize>) {
    let mut columns: HashMap<Field, Vec<usize>> = HashMap::new();
    let mut extra: Vec<(String, Vec<usize>)> = Vec::new();
    let mut mapped = Vec::new();
    let mut ignored = Vec::new();
    let mut type_hint = None;
    for (i, h) in headers.iter().enumerate() {
        let target = match overrides.get(&(i + 1)) {
            Some(chosen) => chosen.clone(),
            None => auto.get(i).cloned().flatten(),
        };
        let field = match target {
            Some(Target::Extra(key)) => {
                mapped.push(ColumnMapping {
                    column: i as u64 + 1,
                    header: h.clone(),
                    field: format!("extra:{key}"),
                });
                match extra.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, cols)) => cols.push(i),
                    None => extra.push((key, vec![i])),
                }
                continue;
            }
            Some(Target::Field(f)) => Some(f),
            None => None,
        };
        match field {
            Some(f) => {
                if f == Field::CustomerName {
                    let n = normalize_header(h);
                    if let Some(t) = type_names.iter().find(|t| n == format!("{t} name")) {
                        type_hint = Some(t.clone());
                    }
                }
                columns.entry(f).or_default().push(i);
                mapped.push(ColumnMapping {
                    column: i as u64 + 1,
                    header: h.clone(),
                    field: f.name().into(),
                });
            }
            None => ignored.push(i),
        }
    }
    (
        Mapping {
            columns,
            extra,
            headers: headers.to_vec(),
            type_hint,
        },
        mapped,
        ignored,
    )
}

/// One row's values by field, with conflicting duplicates reported.
struct Row<'a> {
    cells: &'a [String],
    mapping: &'a Mapping,
}

impl Row<'_> {
    /// `credit (column 3 "Credit")`: the field and the column of the file it came from.
    fn label(&self, f: Field) -> String {
        match self.mapping.columns.get(&f).and_then(|cols| {
            cols.iter()
                .find(|&&c| self.cells.get(c).is_some_and(|v| !v.trim().is_empty()))
                .or(cols.first())
        }) {
            Some(&c) => format!(
                "{} (column {} {:?})",
                f.name(),
                c + 1,
                self.mapping.headers.get(c).map_or("", String::as_str)
            ),
            None => f.name().to_owned(),
        }
    }

    fn get(&self, f: Field, line: u64, warnings: &mut Vec<RowMessage>) -> String {
        match self.mapping.columns.get(&f) {
            Some(cols) => self.get_cols(cols, f.name(), line, warnings),
            None => String::new(),
        }
    }

    /// An extra field's label, as `label` gives a field's.
    fn extra_label(&self, key: &str, cols: &[usize]) -> String {
        let c = cols
            .iter()
            .find(|&&c| self.cells.get(c).is_some_and(|v| !v.trim().is_empty()))
            .or(cols.first())
            .copied()
            .unwrap_or(0);
        format!(
            "extra:{key} (column {} {:?})",
            c + 1,
            self.mapping.headers.get(c).map_or("", String::as_str)
        )
    }

    /// The first non-blank value of `cols`; a different value in a later column is reported.
    fn get_cols(
        &self,
        cols: &[usize],
        name: &str,
        line: u64,
        warnings: &mut Vec<RowMessage>,
    ) -> String {
        let mut value = String::new();
        let mut from = 0;
        for &c in cols {
            let v = self
                .cells
                .get(c)
                .map(|s| super::export::unneutralise(s.trim()))
                .unwrap_or("");
            if v.is_empty() {
                continue;
            }
            if value.is_empty() {
                value = v.to_owned();
                from = c;
            } else if v != value {
                warnings.push(RowMessage {
                    row: line,
                    message: format!(
                        "column {} ({:?}) holds {:?}, which was not imported: column {} ({:?}) already gave {} = {:?}",
                        c + 1,
                        self.mapping.headers[c],
                        v,
                        from + 1,
                        self.mapping.headers[from],
                        name,
                        value
                    ),
                });
            }
        }
        value
    }
}

/// What one row asks for, validated.
struct RowData {
    customer_id: Option<i64>,
    /// Key of the Customer ID cell as written (another system's ids need not be numbers), so
    /// rows sharing it land on one customer.
    file_key: Option<u64>,
    name: String,
    number: String,
    type_name: String,
    credit: Option<i64>,
    tax: Option<Option<(String, i64)>>,
    invoice_prefix: String,
    address: Address,
    contact: Option<ContactFields>,
    /// Whether the contact's first name came from the file (else it stands in for a missing one
    /// and must not overwrite a stored name).
    first_name_given: bool,
    email_key: String,
    groups: Vec<String>,
    staff: Vec<String>,
    /// Further contacts from numbered column groups: (group, contact, first name given).
    more_contacts: Vec<(u8, ContactFields, bool)>,
    /// The `Notes` cell: added as a note of the customer unless it already has one with
    /// exactly this text (so a re-import adds nothing).
    note: String,
    /// The extra field columns' values by key (blank: the cell was empty).
    extra: Vec<(String, String)>,
}

fn parse_row(row: &Row, line: u64, warnings: &mut Vec<RowMessage>) -> Result<RowData, String> {
    let mut g = |f: Field| row.get(f, line, warnings);
    let text =
        |f: Field, v: String| optional_text(&v).map_err(|e| format!("{}: {e}", row.label(f)));
    let customer_id = g(Field::CustomerId);
    let name = text(Field::CustomerName, g(Field::CustomerName))?;
    let number = text(Field::CustomerNumber, g(Field::CustomerNumber))?;
    let type_name = g(Field::CustomerType);
    let credit_raw = g(Field::Credit);
    let tax_name = text(Field::TaxName, g(Field::TaxName))?;
    let tax_rate = g(Field::TaxRate);
    let invoice_prefix = text(Field::InvoicePrefix, g(Field::InvoicePrefix))?;
    let address = Address {
        line_1: text(Field::Line1, g(Field::Line1))?,
        line_2: text(Field::Line2, g(Field::Line2))?,
        suburb: text(Field::Suburb, g(Field::Suburb))?,
        state: text(Field::State, g(Field::State))?,
        region: text(Field::Region, g(Field::Region))?,
        country: text(Field::Country, g(Field::Country))?,
        post_code: text(Field::PostCode, g(Field::PostCode))?,
    };
    let groups = g(Field::Groups);
    let staff = g(Field::Staff);
    let note = super::records::long_text(&g(Field::Notes), super::notes::MAX_NOTE)
        .map_err(|e| format!("{}: {e}", row.label(Field::Notes)))?;
    let person = read_contact(row, line, warnings, ContactPart::own)?;
    let name = if !name.is_empty() {
        name
    } else {
        let person = format!("{} {}", person.first, person.last)
            .trim()
            .to_owned();
        if !person.is_empty() {
            person
        } else {
            return Err("no customer name, and no contact name to use instead".into());
        }
    };
    let first_name_given = !person.first.is_empty();
    let email = person.email.clone();
    let contact = person.into_contact(&name);
    let credit = if credit_raw.is_empty() {
        None
    } else {
        Some(
            domain::parse_money_minor(&credit_raw)
                .map_err(|e| format!("{}: {e}", row.label(Field::Credit)))?,
        )
    };
    let tax = if tax_rate.is_empty() && tax_name.is_empty() {
        None
    } else if tax_rate.starts_with('-') {
        // UCM writes -1.00 for "use the system tax".
        Some(None)
    } else if tax_name.is_empty() {
        return Err(format!(
            "{}: a tax rate needs a tax name",
            Field::TaxName.name()
        ));
    } else {
        let rate = domain::parse_rate_e4(&tax_rate)
            .map_err(|e| format!("{}: {e}", row.label(Field::TaxRate)))?;
        Some(Some((tax_name, rate)))
    };
    let mut more_contacts = Vec::new();
    for group in row.mapping.contact_groups() {
        if let Some(c) = parse_contact_group(row, group, &name, line, warnings)? {
            more_contacts.push(c);
        }
    }
    let mut extra = Vec::with_capacity(row.mapping.extra.len());
    for (k, cols) in &row.mapping.extra {
        let v = row.get_cols(cols, &format!("extra:{k}"), line, warnings);
        let v = super::extra::parse_value(&v)
            .map_err(|e| format!("{}: {e}", row.extra_label(k, cols)))?;
        extra.push((k.clone(), v));
    }
    let file_key = (!customer_id.trim().is_empty()).then(|| key(customer_id.trim()));
    let customer_id = customer_id.trim().parse::<i64>().ok().filter(|i| *i > 0);
    let split = |s: String| -> Vec<String> {
        s.split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()
    };
    Ok(RowData {
        customer_id,
        file_key,
        name,
        number,
        type_name,
        credit,
        tax,
        invoice_prefix,
        address,
        email_key: email.to_lowercase(),
        contact,
        first_name_given,
        groups: split(groups),
        staff: split(staff),
        more_contacts,
        note,
        extra,
    })
}

/// The contact cells of one row, validated: the row's own contact or a numbered group's.
struct ContactCells {
    first: String,
    last: String,
    email: String,
    phone: String,
    mobile: String,
    fax: String,
    language: String,
    position: String,
}

/// Reads a contact through `field_of` (the row's own fields, or a group's): a full name fills
/// a missing first and last name, an email must be valid.
fn read_contact(
    row: &Row,
    line: u64,
    warnings: &mut Vec<RowMessage>,
    field_of: impl Fn(ContactPart) -> Field,
) -> Result<ContactCells, String> {
    let mut value = |p: ContactPart| -> Result<String, String> {
        let f = field_of(p);
        let v = row.get(f, line, warnings);
        if p == ContactPart::Email {
            if v.is_empty() {
                return Ok(v);
            }
            return EmailAddress::parse(&v)
                .map(|e| e.as_str().to_owned())
                .map_err(|e| format!("{}: {e}", row.label(f)));
        }
        optional_text(&v).map_err(|e| format!("{}: {e}", row.label(f)))
    };
    let mut first = value(ContactPart::FirstName)?;
    let mut last = value(ContactPart::LastName)?;
    let full = value(ContactPart::Name)?;
    let email = value(ContactPart::Email)?;
    if first.is_empty() && !full.is_empty() {
        let (f, l) = split_full_name(&full);
        first = f;
        if last.is_empty() {
            last = l;
        }
    }
    Ok(ContactCells {
        first,
        last,
        email,
        phone: value(ContactPart::Phone)?,
        mobile: value(ContactPart::Mobile)?,
        fax: value(ContactPart::Fax)?,
        language: value(ContactPart::Language)?,
        position: value(ContactPart::Position)?,
    })
}

impl ContactCells {
    /// The contact, if the cells name or reach anyone; without a first name the company's
    /// name stands in (a row with only an email or phone is the company's contact).
    fn into_contact(self, company: &str) -> Option<ContactFields> {
        let has_contact = [
            &self.first,
            &self.last,
            &self.email,
            &self.phone,
            &self.mobile,
            &self.fax,
        ]
        .iter()
        .any(|v| !v.is_empty());
        has_contact.then(|| ContactFields {
            first_name: if self.first.is_empty() {
                company.to_owned()
            } else {
                self.first
            },
            last_name: self.last,
            email: self.email,
            phone: self.phone,
            mobile: self.mobile,
            fax: self.fax,
            language: self.language,
            position: self.position,
        })
    }
}

/// The contact of one numbered column group (`Contact 2 ...`), or `None` when its cells are
/// blank. An invalid value skips the whole row, as it does for the row's own contact.
fn parse_contact_group(
    row: &Row,
    group: u8,
    company: &str,
    line: u64,
    warnings: &mut Vec<RowMessage>,
) -> Result<Option<(u8, ContactFields, bool)>, String> {
    let cells = read_contact(row, line, warnings, |p| Field::Grouped(group, p))?;
    let first_name_given = !cells.first.is_empty();
    Ok(cells
        .into_contact(company)
        .map(|c| (group, c, first_name_given)))
}

#[derive(Debug, Clone, Copy)]
enum Outcome {
    Created,
    Updated(i64),
    Unchanged(i64),
}

pub struct ImportOptions {
    pub dry_run: bool,
    /// Match a row to an existing customer by its Customer ID column.
    pub match_id: bool,
    /// ... else by a contact's email (case-insensitive).
    pub match_email: bool,
    /// ... else by the exact customer name.
    pub match_name: bool,
    /// A blank cell in a mapped column clears the stored value (default: leaves it alone).
    pub clear_blanks: bool,
    /// Any row that would be skipped cancels the whole import (nothing is written).
    pub all_or_nothing: bool,
    /// Column (1-based) → the field it feeds, or `None` to ignore it; replaces the automatic
    /// match for those columns.
    pub columns: HashMap<usize, Option<Target>>,
}

/// Parses `3=contact.email,5=ignore` (1-based columns) into column overrides.
pub fn parse_column_map(spec: &str) -> Result<HashMap<usize, Option<Target>>, String> {
    let mut out = HashMap::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (col, field) = part.split_once(['=', ':']).ok_or_else(|| {
            format!("{part:?}: write COLUMN=FIELD, e.g. 3=contact.email or 5=ignore")
        })?;
        let col: usize = col
            .trim()
            .parse()
            .ok()
            .filter(|c| *c >= 1)
            .ok_or_else(|| format!("{part:?}: the column is a number from 1"))?;
        let field = match field.trim() {
            "ignore" | "" => None,
            name => Some(Target::from_name(name).map_err(|e| format!("{part:?}: {e}"))?),
        };
        if out.insert(col, field).is_some() {
            return Err(format!("column {col} is mapped twice"));
        }
    }
    Ok(out)
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            match_id: true,
            match_email: true,
            match_name: true,
            clear_blanks: false,
            all_or_nothing: false,
            columns: HashMap::new(),
        }
    }
}

/// The file opened for import: encoding and delimiter decided, header found, the reader
/// positioned on the first data record.
pub struct Opened {
    pub encoding: TextEncoding,
    pub delimiter: u8,
    pub header_row: u64,
    pub headers: Vec<String>,
    pub size: u64,
    type_names: Vec<String>,
    /// The extra field keys in use, for headers that name one.
    extra_keys: Vec<String>,
    ahead: VecDeque<Record>,
    reader: RecordReader<std::fs::File>,
}

impl Opened {
    fn next_record(&mut self) -> AppResult<Option<Record>> {
        if let Some(r) = self.ahead.pop_front() {
            return Ok(Some(r));
        }
        self.reader.next_record().map_err(AppError::BadRequest)
    }

    /// The automatic mapping of this file's columns (`None`: not imported).
    pub fn auto_targets(&self) -> Vec<Option<Target>> {
        auto_targets(&self.headers, &self.type_names, &self.extra_keys)
    }
}

fn io_error(path: &Path, e: std::io::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("reading {}: {e}", path.display()))
}

/// Opens a file for import: one pass to decide the encoding (off the async workers), the
/// delimiter from its opening, and the header among the first 20 records (rows above it
/// are a preamble, as Invoice Ninja writes).
pub async fn open(db: &Db, path: &Path) -> AppResult<Opened> {
    let owned = path.to_owned();
    let (encoding, delimiter, size) = tokio::task::spawn_blocking(move || {
        let size = std::fs::metadata(&owned)?.len();
        let encoding = reader::sniff_encoding(std::fs::File::open(&owned)?)?;
        let prefix = reader::text_prefix(std::fs::File::open(&owned)?, encoding)?;
        std::io::Result::Ok((encoding, reader::detect_delimiter(&prefix), size))
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("import sniffing: {e}")))?
    .map_err(|e| io_error(path, e))?;
    let type_names: Vec<String> = lookups::list_types(db)
        .await?
        .iter()
        .map(|t| fold(&t.name))
        .collect();
    let extra_keys = super::extra::keys(db)
        .await?
        .into_iter()
        .map(|k| k.key)
        .collect();
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut reader = RecordReader::new(file, encoding, delimiter);
    let mut first = Vec::new();
    while first.len() < 20 {
        match reader.next_record().map_err(AppError::BadRequest)? {
            Some(r) => first.push(r),
            None => break,
        }
    }
    // The header is the first of the opening rows that names at least two known columns
    // (one, for a one-column file).
    let header_idx = first
        .iter()
        .position(|r| {
            let known = r
                .cells
                .iter()
                .filter(|c| {
                    map_header(c, &type_names, false).is_some() || strip_extra_prefix(c).is_some()
                })
                .count();
            known >= 2 || (known == 1 && r.cells.iter().filter(|c| !c.trim().is_empty()).count() == 1)
        })
        .ok_or_else(|| {
            AppError::field(
                "file",
                "no header row found: the first rows name no known column (e.g. Customer Name, Email, First Name)",
            )
        })?;
    let headers = first[header_idx]
        .cells
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    let header_row = first[header_idx].line;
    Ok(Opened {
        encoding,
        delimiter,
        header_row,
        headers,
        size,
        type_names,
        extra_keys,
        ahead: first.drain(header_idx + 1..).collect(),
        reader,
    })
}

/// What an upload holds, for the import wizard's first step: one pass over the whole file
/// (records counted, the first values of each column kept), nothing written.
pub struct Detected {
    pub opened_encoding: TextEncoding,
    pub delimiter: u8,
    pub header_row: u64,
    pub data_rows: u64,
    pub columns: Vec<ucm_types::ImportColumn>,
    /// The extra field keys in use, read when the file was opened.
    pub extra_keys: Vec<String>,
}

pub async fn detect(db: &Db, path: &Path) -> AppResult<Detected> {
    let mut src = open(db, path).await?;
    let auto = src.auto_targets();
    let mut samples: Vec<Vec<String>> = vec![Vec::new(); src.headers.len()];
    let mut data_rows = 0u64;
    while let Some(r) = src.next_record()? {
        if let Some(message) = swallowed_rows(&r, src.delimiter, src.headers.len()) {
            return Err(AppError::field("file", message));
        }
        data_rows += 1;
        if data_rows <= 200 {
            for (i, cell) in r.cells.iter().enumerate().take(samples.len()) {
                let v = cell.trim();
                if !v.is_empty() && samples[i].len() < 3 && !samples[i].iter().any(|s| s == v) {
                    samples[i].push(v.chars().take(80).collect());
                }
            }
        }
        if data_rows.is_multiple_of(4096) {
            // A long file is counted without holding this worker for the whole pass.
            tokio::task::yield_now().await;
        }
    }
    let columns = src
        .headers
        .iter()
        .zip(auto)
        .zip(samples)
        .enumerate()
        .map(|(i, ((header, field), samples))| ucm_types::ImportColumn {
            column: i as u64 + 1,
            header: header.clone(),
            field: field.map(|f| f.name().into_owned()),
            samples,
        })
        .collect();
    Ok(Detected {
        opened_encoding: src.encoding,
        delimiter: src.delimiter,
        header_row: src.header_row,
        data_rows,
        columns,
        extra_keys: src.extra_keys,
    })
}

pub fn delimiter_label(d: u8) -> String {
    match d {
        b'\t' => "tab".into(),
        d => char::from(d).to_string(),
    }
}

/// At most this many skipped rows and warnings are listed in a report; the totals count all.
const LISTED_MAX: usize = 10_000;

fn skip(report: &mut ImportReport, row: u64, reason: String) {
    report.skipped_total += 1;
    if report.skipped.len() < LISTED_MAX {
        report.skipped.push(SkippedRow { row, reason });
    }
}

fn warn(report: &mut ImportReport, row: u64, message: String) {
    report.warnings_total += 1;
    if report.warnings.len() < LISTED_MAX {
        report.warnings.push(RowMessage { row, message });
    }
}

pub struct Imported {
    pub report: ImportReport,
    /// The first rows as they were (or, in a dry run, would be) imported.
    pub preview: Vec<PreviewRow>,
}

/// Imports a file in one transaction: every row lands, or (on an unexpected failure, a
/// refused file or a killed process) none do. Rows that cannot be imported are skipped and
/// listed with their line and reason. The file is read as a stream; memory holds the
/// matching index (a few dozen bytes per customer), not the file.
pub async fn import_file(
    db: &Db,
    path: &Path,
    opts: ImportOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
    preview_rows: usize,
) -> AppResult<Imported> {
    let src = open(db, path).await?;
    if let Some(col) = opts.columns.keys().find(|c| **c > src.headers.len()) {
        return Err(AppError::field(
            "columns",
            format!(
                "column {col} does not exist: the header has {} columns",
                src.headers.len()
            ),
        ));
    }
    let auto = src.auto_targets();
    let overrides: HashMap<usize, Option<Target>> = opts
        .columns
        .iter()
        .map(|(col, target)| {
            let target = match target {
                Some(Target::Extra(k)) => {
                    Some(Target::Extra(stored_spelling(&src.extra_keys, k.clone())))
                }
                other => other.clone(),
            };
            (*col, target)
        })
        .collect();
    let (mapping, mapped_columns, ignored_idx) =
        build_mapping(&src.headers, &auto, &src.type_names, &overrides);
    if !mapping.columns.contains_key(&Field::CustomerName)
        && !mapping.columns.contains_key(&Field::FirstName)
        && !mapping.columns.contains_key(&Field::ContactName)
    {
        return Err(AppError::field(
            "file",
            "no column gives a customer or contact name (e.g. Customer Name, Company, Name, First Name)",
        ));
    }
    let headers = src.headers.clone();
    let mut report = ImportReport {
        rows_read: 0,
        created: 0,
        updated: 0,
        unchanged: 0,
        skipped: Vec::new(),
        skipped_total: 0,
        contacts_created: 0,
        notes_added: 0,
        mapped_columns,
        ignored_columns: Vec::new(),
        warnings: Vec::new(),
        warnings_total: 0,
        header_row: src.header_row,
        encoding: src.encoding.label().into(),
        delimiter: delimiter_label(src.delimiter),
        dry_run: opts.dry_run,
    };
    // An `extra:` header whose name cannot be a key is not imported: say why.
    for &i in &ignored_idx {
        if opts.columns.contains_key(&(i + 1)) {
            continue;
        }
        if let Some(Err(reason)) = strip_extra_prefix(&headers[i]).map(super::extra::parse_key) {
            warn(
                &mut report,
                src.header_row,
                format!(
                    "column {} ({:?}) was not imported: {reason}; rename the header or map the column",
                    i + 1,
                    headers[i]
                ),
            );
        }
    }
    let mut preview = Vec::new();
    let txn = Arc::new(db.begin_bulk_write().await?);
    let mut cache = Cache {
        index: Index::load(&**txn).await?,
        writer: Some(Writer::start(Arc::clone(&txn))),
        ..Cache::default()
    };
    cache.comma_groups = query_all(
        &**txn,
        "SELECT name FROM customer_groups WHERE name LIKE '%,%'",
        vec![],
    )
    .await?
    .iter()
    .map(|r| {
        r.try_get::<String>("", "name").map(|n| {
            n.split(',')
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect()
        })
    })
    .collect::<Result<_, _>>()?;
    let size = src.size;
    let mapping = Arc::new(mapping);
    let (batches, mut prepared) = tokio::sync::mpsc::channel(PREPARED_QUEUE);
    let reading = tokio::task::spawn_blocking({
        let mapping = Arc::clone(&mapping);
        let ignored_idx = ignored_idx.clone();
        move || prepare_records(src, &mapping, &ignored_idx, &batches)
    });
    while let Some(batch) = prepared.recv().await {
        let batch = batch?;
        progress(batch.bytes_read, size);
        for row in batch.rows {
            let Prepared {
                record,
                utf8_damaged,
                warnings,
                parsed,
            } = row;
            report.rows_read += 1;
            if utf8_damaged {
                warn(
                    &mut report,
                    record.line,
                    "bytes on this line are not valid UTF-8; each was read as \u{FFFD}".into(),
                );
            }
            let listed = (report.skipped.len(), report.warnings.len());
            for w in warnings {
                warn(&mut report, w.row, w.message);
            }
            let outcome = match parsed {
                Ok(d) => apply_row(
                    &**txn,
                    &d,
                    &mapping,
                    record.line,
                    &mut report,
                    &mut cache,
                    &opts,
                )
                .await
                .map_err(|e| match e {
                    AppError::Internal(cause) => AppError::Internal(
                        cause.context(format!("import failed at line {}", record.line)),
                    ),
                    other => AppError::BadRequest(format!(
                        "import stopped at line {} and nothing was imported: {}",
                        record.line,
                        other.to_problem().detail.unwrap_or_default()
                    )),
                })?,
                Err(reason) => {
                    skip(&mut report, record.line, reason);
                    None
                }
            };
            match outcome {
                Some(Outcome::Created) => report.created += 1,
                Some(Outcome::Updated(_)) => report.updated += 1,
                Some(Outcome::Unchanged(_)) => report.unchanged += 1,
                None => {}
            }
            if preview.len() < preview_rows {
                let ours = |id: i64| Some(id).filter(|id| *id < cache.index.first_new_id);
                let (action, customer_id) = match outcome {
                    None => (RowAction::Skip, None),
                    Some(Outcome::Created) => (RowAction::Create, None),
                    Some(Outcome::Updated(id)) => (RowAction::Update, ours(id)),
                    Some(Outcome::Unchanged(id)) => (RowAction::Unchanged, ours(id)),
                };
                let problems = report.skipped[listed.0..]
                    .iter()
                    .map(|s| s.reason.clone())
                    .chain(
                        report.warnings[listed.1..]
                            .iter()
                            .map(|w| w.message.clone()),
                    )
                    .collect();
                preview.push(PreviewRow {
                    row: record.line,
                    cells: record.cells,
                    action,
                    customer_id,
                    problems,
                });
            }
        }
    }
    let ignored_counts = reading
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("import reading thread: {e}")))?;
    flush(&mut cache).await?;
    if let Some(writer) = cache.writer.take() {
        writer.finish(&mut cache).await?;
    }
    // The writer task has ended and dropped its handle on the transaction.
    let txn = Arc::try_unwrap(txn).map_err(|_| {
        AppError::Internal(anyhow::anyhow!(
            "the import writer still holds the transaction"
        ))
    })?;
    progress(size, size);
    report.notes_added = cache.notes_added;
    report.ignored_columns = ignored_idx
        .iter()
        .zip(ignored_counts)
        .filter(|(i, count)| !(headers[**i].is_empty() && *count == 0))
        .map(|(i, count)| IgnoredColumn {
            column: *i as u64 + 1,
            header: headers[*i].clone(),
            non_empty_cells: count,
        })
        .collect();
    if opts.all_or_nothing && report.skipped_total > 0 {
        txn.rollback().await?;
        let mut problems: Vec<String> = report
            .skipped
            .iter()
            .take(50)
            .map(|r| format!("line {}: {}", r.row, r.reason))
            .collect();
        if report.skipped_total > 50 {
            problems.push(format!("... and {} more rows", report.skipped_total - 50));
        }
        let mut errors = crate::error::FieldErrors::new();
        errors.insert("file".into(), problems);
        return Err(AppError::Validation(errors));
    }
    if opts.dry_run {
        txn.rollback().await?;
    } else {
        txn.commit().await?;
    }
    Ok(Imported { report, preview })
}

/// One data record as the reading thread left it: its shape checked and its cells parsed,
/// nothing matched or written yet.
struct Prepared {
    record: Record,
    utf8_damaged: bool,
    /// Said about the row while parsing it (e.g. a column whose value lost to another).
    warnings: Vec<RowMessage>,
    /// The row, or why it is skipped.
    parsed: Result<RowData, String>,
}

struct PreparedBatch {
    rows: Vec<Prepared>,
    /// How far into the file the reader is, for the progress bar.
    bytes_read: u64,
}

/// Records per hand-over from the reading thread: enough that handing over costs nothing next
/// to the rows, few enough that the writer never waits long for the first ones.
const PREPARED_BATCH: usize = 256;
/// Batches read ahead of the writer: memory stays bounded however large the file.
const PREPARED_QUEUE: usize = 4;

/// Reads, checks and parses the data records on a thread of their own, so that decoding and
/// parsing the next rows overlaps with matching and writing the previous ones. Stops early
/// when the writer has stopped (the channel is closed). Returns, per ignored column, how many
/// of its cells held something.
fn prepare_records(
    mut src: Opened,
    mapping: &Mapping,
    ignored_idx: &[usize],
    batches: &tokio::sync::mpsc::Sender<AppResult<PreparedBatch>>,
) -> Vec<u64> {
    let columns = src.headers.len();
    let mut ignored_counts = vec![0u64; ignored_idx.len()];
    let mut rows = Vec::with_capacity(PREPARED_BATCH);
    // False when the importer has stopped listening.
    let send = |rows: &mut Vec<Prepared>, bytes_read: u64| {
        let batch = PreparedBatch {
            rows: std::mem::replace(rows, Vec::with_capacity(PREPARED_BATCH)),
            bytes_read,
        };
        batches.blocking_send(Ok(batch)).is_ok()
    };
    let failure = loop {
        let record = match src.next_record() {
            Ok(Some(record)) => record,
            Ok(None) => break None,
            Err(e) => break Some(e),
        };
        if let Some(message) = swallowed_rows(&record, src.delimiter, columns) {
            break Some(AppError::field("file", message));
        }
        if record.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        for (k, &i) in ignored_idx.iter().enumerate() {
            if record.cells.get(i).is_some_and(|c| !c.trim().is_empty()) {
                ignored_counts[k] += 1;
            }
        }
        rows.push(prepare(record, mapping, columns, src.encoding));
        if rows.len() == PREPARED_BATCH && !send(&mut rows, src.reader.raw_bytes()) {
            return ignored_counts;
        }
    };
    // The rows before a failure go first, so that an error the writer meets in one of them is
    // the one reported, as when reading and writing were one loop.
    if !rows.is_empty() && !send(&mut rows, src.reader.raw_bytes()) {
        return ignored_counts;
    }
    if let Some(e) = failure {
        // A closed channel means the writer already stopped with an error of its own.
        let _ = batches.blocking_send(Err(e));
    }
    ignored_counts
}

fn prepare(record: Record, mapping: &Mapping, columns: usize, encoding: TextEncoding) -> Prepared {
    let utf8_damaged = encoding == TextEncoding::Utf8Damaged
        && record.cells.iter().any(|c| c.contains('\u{FFFD}'));
    let mut warnings = Vec::new();
    let parsed = match ragged(&record, columns) {
        Some(reason) => Err(reason),
        None => parse_row(
            &Row {
                cells: &record.cells,
                mapping,
            },
            record.line,
            &mut warnings,
        ),
    };
    Prepared {
        record,
        utf8_damaged,
        warnings,
        parsed,
    }
}

/// Why a record cannot be read against the header (None: its values line up). Empty cells past
/// the header's end are fine: UCM ends every line with a delimiter.
fn ragged(record: &Record, columns: usize) -> Option<String> {
    if record.cells.len() == columns {
        return None;
    }
    let extra_is_empty =
        record.cells.len() > columns && record.cells[columns..].iter().all(|c| c.trim().is_empty());
    (!extra_is_empty).then(|| {
        format!(
            "the row has {} fields but the header has {}; fix the row so its values line up",
            record.cells.len(),
            columns
        )
    })
}

#[derive(Default)]
struct Cache {
    types: HashMap<String, Option<i64>>,
    groups: HashMap<String, i64>,
    staff: HashMap<String, Option<i64>>,
    /// Customer ID in the file → the customer that row became, so later rows with the same
    /// ID add to it (several contacts per customer) even when the ID is another system's.
    file_ids: KeyedMap<i64>,
    /// Key of an email → the first line that gave it, to report duplicates inside the file.
    emails: KeyedMap<u64>,
    index: Index,
    pending: Pending,
    /// Set for the whole run of an import (absent only in `Cache::default()`).
    writer: Option<Writer>,
    ahead: ReadAhead,
    /// Existing group names with a comma in them, each split at its commas: the export joins
    /// a customer's groups with ", ", so these come back in pieces.
    comma_groups: Vec<Vec<String>>,
    notes_added: u64,
}

/// The group names of a cell split at commas, with the pieces of an existing group name that
/// holds commas put back together (longest name first).
fn rejoin_group_names(parts: &[String], comma_groups: &[Vec<String>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let whole = comma_groups
            .iter()
            .filter(|pieces| {
                parts.len() - i >= pieces.len()
                    && pieces
                        .iter()
                        .zip(&parts[i..])
                        .all(|(p, q)| p.eq_ignore_ascii_case(q))
            })
            .max_by_key(|pieces| pieces.len());
        match whole {
            Some(pieces) => {
                out.push(parts[i..i + pieces.len()].join(", "));
                i += pieces.len();
            }
            None => {
                out.push(parts[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// Stored customers (with their contacts) read ahead in id order, so a file that follows that
/// order (an export does) costs two queries per few hundred rows instead of three per row.
/// Each entry is used once: whatever a row writes is read again by the next row that needs it.
#[derive(Default)]
struct ReadAhead {
    stored: HashMap<i64, (ucm_types::Customer, Vec<ucm_types::Contact>)>,
    /// How many ids the next read covers: doubles while reads pay off, back to 1 when the
    /// file's order does not follow the ids.
    window: i64,
    read: usize,
    used: usize,
    /// The end of the last read: a miss right there means the file walks the ids in order.
    end: i64,
}

const READ_AHEAD_MAX: i64 = 512;

impl ReadAhead {
    async fn take<C: ConnectionTrait>(
        &mut self,
        c: &C,
        id: i64,
        first_new_id: i64,
    ) -> AppResult<(ucm_types::Customer, Vec<ucm_types::Contact>)> {
        if let Some(found) = self.stored.remove(&id) {
            self.used += 1;
            return Ok(found);
        }
        let in_order = id == self.end || (self.read > 1 && self.used * 2 >= self.read);
        self.window = if in_order {
            (self.window * 2).clamp(1, READ_AHEAD_MAX)
        } else {
            1
        };
        // Only customers that existed before the import: this import's own rows change
        // while it runs.
        let to = (id + self.window).min(first_new_id).max(id + 1);
        self.end = to;
        let mut contacts = contacts::list_range_in(c, id, to).await?;
        self.stored = customers::get_range_in(c, id, to)
            .await?
            .into_iter()
            .map(|customer| {
                let own = contacts.remove(&customer.id).unwrap_or_default();
                (customer.id, (customer, own))
            })
            .collect();
        self.read = self.stored.len();
        self.used = 1;
        self.stored
            .remove(&id)
            .ok_or_else(|| AppError::not_found("customer", id))
    }
}

/// A 64-bit key of a text. The index keeps keys, not the texts, so that a million customers
/// fit in a few dozen megabytes; a match found through a key is confirmed against the stored
/// customer before anything is written (see `apply_row`).
fn key(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Hashes a [`key`] by taking it as it is: it is a hash already, so hashing it again (SipHash,
/// the std default) only costs time.
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type KeyedMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// Keys → customers: the usual one customer per key in a flat map, the rare shared key apart.
#[derive(Default)]
struct KeyMap {
    one: KeyedMap<i64>,
    many: KeyedMap<Vec<i64>>,
}

enum Found<'a> {
    None,
    One(i64),
    Many(&'a [i64]),
}

impl KeyMap {
    fn get(&self, k: u64) -> Found<'_> {
        if let Some(id) = self.one.get(&k) {
            return Found::One(*id);
        }
        match self.many.get(&k) {
            Some(ids) => Found::Many(ids),
            None => Found::None,
        }
    }

    fn insert(&mut self, k: u64, id: i64) {
        if let Some(ids) = self.many.get_mut(&k) {
            if !ids.contains(&id) {
                ids.push(id);
            }
            return;
        }
        match self.one.entry(k) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(id);
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                if *o.get() != id {
                    let first = o.remove();
                    self.many.insert(k, vec![first, id]);
                }
            }
        }
    }

    fn remove(&mut self, k: u64, id: i64) {
        if self.one.get(&k) == Some(&id) {
            self.one.remove(&k);
            return;
        }
        if let Some(ids) = self.many.get_mut(&k) {
            ids.retain(|i| *i != id);
            if let [last] = ids[..] {
                self.many.remove(&k);
                self.one.insert(k, last);
            }
        }
    }
}

/// What the database holds, read once at the start (in pages, so a large database is not
/// held in memory twice) so that matching a row costs no query.
#[derive(Default)]
struct Index {
    /// Customers that existed before the import: id → (key of the folded name, key of the
    /// primary contact's email or 0).
    by_id: HashMap<i64, (u64, u64)>,
    by_email: KeyMap,
    by_name: KeyMap,
    /// Ids from here on were created by this import.
    first_new_id: i64,
}

const INDEX_PAGE: u64 = 20_000;

impl Index {
    async fn load<C: ConnectionTrait>(c: &C) -> AppResult<Self> {
        let mut ix = Index {
            first_new_id: 1,
            ..Index::default()
        };
        let mut after = 0i64;
        loop {
            let page = query_all(
                c,
                &format!(
                    "SELECT c.id, c.customer_name, c.name_key, p.email_key FROM customers c \
                     LEFT JOIN contacts p ON p.customer_id = c.id AND p.is_primary \
                     WHERE c.id > ? ORDER BY c.id LIMIT {INDEX_PAGE}"
                ),
                vec![after.into()],
            )
            .await?;
            for r in &page {
                let id: i64 = r.try_get("", "id")?;
                let name: String = r.try_get("", "customer_name")?;
                let name_key: String = r.try_get("", "name_key")?;
                let email: Option<String> = r.try_get("", "email_key")?;
                ix.by_name.insert(key(&name), id);
                ix.by_id.insert(
                    id,
                    (
                        key(&name_key),
                        email.filter(|e| !e.is_empty()).map_or(0, |e| key(&e)),
                    ),
                );
                after = id;
            }
            if (page.len() as u64) < INDEX_PAGE {
                break;
            }
        }
        ix.first_new_id = after + 1;
        let mut after = 0i64;
        loop {
            let page = query_all(
                c,
                &format!(
                    "SELECT id, email_key, customer_id FROM contacts \
                     WHERE email_key <> '' AND id > ? ORDER BY id LIMIT {INDEX_PAGE}"
                ),
                vec![after.into()],
            )
            .await?;
            for r in &page {
                let email: String = r.try_get("", "email_key")?;
                ix.by_email
                    .insert(key(&email), r.try_get("", "customer_id")?);
                after = r.try_get("", "id")?;
            }
            if (page.len() as u64) < INDEX_PAGE {
                break;
            }
        }
        Ok(ix)
    }

    fn add(&mut self, id: i64, name: &str, primary_email: Option<&str>) {
        self.by_name.insert(key(name), id);
        if let Some(e) = primary_email {
            self.add_email(id, e);
        }
    }

    fn add_email(&mut self, id: i64, email_key: &str) {
        self.by_email.insert(key(email_key), id);
    }

    fn rename(&mut self, id: i64, old: &str, new: &str) {
        if old == new {
            return;
        }
        self.by_name.remove(key(old), id);
        self.by_name.insert(key(new), id);
        if let Some(entry) = self.by_id.get_mut(&id) {
            entry.0 = key(&fold(new));
        }
    }
}

/// New customers waiting to be written in one multi-row insert.
#[derive(Default)]
struct Pending {
    rows: Vec<(CustomerFields, Option<ContactFields>)>,
    links: Vec<NewLinks>,
    keys: BatchKeys,
}

/// What a pending new customer gets once it has an id.
struct NewLinks {
    /// Key of the file's Customer ID cell, so later rows with it find this customer.
    file_id: Option<u64>,
    groups: Vec<i64>,
    staff: Vec<i64>,
    note: String,
    extra: Vec<(String, String)>,
}

const PENDING_MAX: usize = 400;

/// Batches handed to the writer and not yet made matchable. Two keep the writer busy while
/// the next one fills; more would only hold memory.
const WRITES_QUEUED: usize = 2;

/// What identifies a batch's customers to later rows of the file.
#[derive(Default)]
struct BatchKeys {
    file_ids: std::collections::HashSet<u64>,
    emails: std::collections::HashSet<String>,
    names: std::collections::HashSet<String>,
}

impl BatchKeys {
    /// Whether this row could match one of these customers, or give a further contact the
    /// email of one of their primary contacts (which `merge_more_contacts` refuses, so it must
    /// see these customers first).
    fn touches(&self, d: &RowData, opts: &ImportOptions) -> bool {
        d.file_key.is_some_and(|f| self.file_ids.contains(&f))
            || (opts.match_email && !d.email_key.is_empty() && self.emails.contains(&d.email_key))
            || (opts.match_name && self.names.contains(&d.name))
            || d.more_contacts.iter().any(|(_, contact, _)| {
                !contact.email.is_empty() && self.emails.contains(&contact.email_key())
            })
    }
}

/// New customers as written, to be made matchable in input order.
struct Written {
    ids: Vec<i64>,
    /// Per customer: the file's Customer ID key, the name and the primary email key.
    keys: Vec<(Option<u64>, String, Option<String>)>,
    notes_added: u64,
}

/// Writes batches of new customers on a task of its own, so that matching the next rows of
/// the file overlaps with the database inserting the previous ones. Batches are written one
/// after the other in the order sent, so ids still follow the file.
struct Writer {
    batches: Option<tokio::sync::mpsc::Sender<Pending>>,
    written: tokio::sync::mpsc::Receiver<AppResult<Written>>,
    /// The keys of each batch sent and not yet received back, oldest first.
    in_flight: VecDeque<BatchKeys>,
    task: tokio::task::JoinHandle<()>,
}

impl Writer {
    fn start(txn: Arc<WriteTxn>) -> Self {
        let (batches, mut to_write) = tokio::sync::mpsc::channel::<Pending>(WRITES_QUEUED);
        let (done, written) = tokio::sync::mpsc::channel(WRITES_QUEUED + 1);
        let task = tokio::spawn(async move {
            while let Some(pending) = to_write.recv().await {
                let result = write_pending(&**txn, pending).await;
                let failed = result.is_err();
                if done.send(result).await.is_err() || failed {
                    break;
                }
            }
        });
        Self {
            batches: Some(batches),
            written,
            in_flight: VecDeque::new(),
            task,
        }
    }

    fn touches(&self, d: &RowData, opts: &ImportOptions) -> bool {
        self.in_flight.iter().any(|keys| keys.touches(d, opts))
    }

    /// Waits for the writer to finish everything sent and lets it stop.
    async fn finish(mut self, cache: &mut Cache) -> AppResult<()> {
        settle(cache, &mut self).await?;
        self.batches = None;
        self.task
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("import writer: {e}")))
    }
}

/// Makes written customers matchable by later rows.
fn made_matchable(cache: &mut Cache, written: Written) -> Vec<i64> {
    for (&id, (file_id, name, email)) in written.ids.iter().zip(&written.keys) {
        if let Some(f) = file_id {
            cache.file_ids.insert(*f, id);
        }
        cache.index.add(id, name, email.as_deref());
    }
    cache.notes_added += written.notes_added;
    written.ids
}

/// Receives one written batch back (waiting for it) and makes its customers matchable.
async fn receive_one(cache: &mut Cache, writer: &mut Writer) -> AppResult<Vec<i64>> {
    let written = writer.written.recv().await.ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "the import writer stopped without an answer"
        ))
    })??;
    writer.in_flight.pop_front();
    Ok(made_matchable(cache, written))
}

/// Waits until every batch sent is written and matchable; returns the last batch's ids.
async fn settle(cache: &mut Cache, writer: &mut Writer) -> AppResult<Vec<i64>> {
    let mut last = Vec::new();
    while !writer.in_flight.is_empty() {
        last = receive_one(cache, writer).await?;
    }
    Ok(last)
}

/// The import's writer, taken out of the cache so that it and the cache can be borrowed
/// together; put it back after.
fn take_writer(cache: &mut Cache) -> AppResult<Writer> {
    cache
        .writer
        .take()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("import writer missing")))
}

/// Hands the pending new customers to the writer without waiting for them.
async fn dispatch(cache: &mut Cache) -> AppResult<()> {
    if cache.pending.rows.is_empty() {
        return Ok(());
    }
    let mut writer = take_writer(cache)?;
    let result = dispatch_to(cache, &mut writer).await;
    cache.writer = Some(writer);
    result
}

async fn dispatch_to(cache: &mut Cache, writer: &mut Writer) -> AppResult<()> {
    // Batches already written are made matchable now: fewer to wait for later.
    while let Ok(written) = writer.written.try_recv() {
        writer.in_flight.pop_front();
        made_matchable(cache, written?);
    }
    let mut pending = std::mem::take(&mut cache.pending);
    let keys = std::mem::take(&mut pending.keys);
    let sent = match &writer.batches {
        Some(batches) => batches.send(pending).await.is_ok(),
        None => false,
    };
    writer.in_flight.push_back(keys);
    if !sent {
        // The writer stopped at an error: that error is waiting to be received.
        settle(cache, writer).await?;
        return Err(AppError::Internal(anyhow::anyhow!(
            "the import writer stopped"
        )));
    }
    Ok(())
}

/// Writes the pending new customers and waits until they and every batch before them are
/// matchable. Returns the new customers' ids in the order they were added.
async fn flush(cache: &mut Cache) -> AppResult<Vec<i64>> {
    let mut writer = take_writer(cache)?;
    let result = async {
        if !cache.pending.rows.is_empty() {
            dispatch_to(cache, &mut writer).await?;
        }
        settle(cache, &mut writer).await
    }
    .await;
    cache.writer = Some(writer);
    result
}

/// Inserts a batch of new customers with their links (the writer's part of an import).
async fn write_pending<C: ConnectionTrait>(c: &C, pending: Pending) -> AppResult<Written> {
    write_batch(c, pending).await.map_err(|e| match e {
        AppError::Internal(cause) => {
            AppError::Internal(cause.context("import failed while writing new customers"))
        }
        other => other,
    })
}

async fn write_batch<C: ConnectionTrait>(c: &C, pending: Pending) -> AppResult<Written> {
    let ids = customers::insert_many(c, &pending.rows).await?;
    let mut written = Written {
        ids: Vec::with_capacity(ids.len()),
        keys: Vec::with_capacity(ids.len()),
        notes_added: 0,
    };
    for (
        (&id, (fields, contact)),
        NewLinks {
            file_id,
            groups,
            staff,
            note,
            extra,
        },
    ) in ids.iter().zip(pending.rows).zip(pending.links)
    {
        if !groups.is_empty() {
            customers::set_groups(c, id, &groups).await?;
        }
        if !staff.is_empty() {
            customers::set_staff(c, id, &staff).await?;
        }
        if !extra.is_empty() {
            super::extra::apply(c, id, &extra).await?;
        }
        if add_note(c, id, &note).await? {
            written.notes_added += 1;
        }
        let email = contact
            .as_ref()
            .map(ContactFields::email_key)
            .filter(|e| !e.is_empty());
        written.ids.push(id);
        written.keys.push((file_id, fields.name, email));
    }
    Ok(written)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    FileId,
    Id,
    Email,
    Name,
}

/// The customer a row belongs to, if any, and (when the row's Customer ID is a stranger's)
/// that stranger's id, for a warning.
type Matched = (Option<(i64, By)>, Option<i64>);

fn find_match(d: &RowData, cache: &Cache, opts: &ImportOptions) -> Result<Matched, String> {
    if let Some(id) = d.file_key.and_then(|f| cache.file_ids.get(&f)) {
        return Ok((Some((*id, By::FileId)), None));
    }
    let ix = &cache.index;
    let mut id_mismatch = None;
    if let Some(id) = d.customer_id.filter(|_| opts.match_id) {
        if let Some(&(name_key, email_key)) = ix.by_id.get(&id) {
            let same_email = !d.email_key.is_empty() && email_key == key(&d.email_key);
            if name_key == key(&fold(&d.name)) || same_email {
                return Ok((Some((id, By::Id)), None));
            }
            // An id from another system, or a stale one: never let it overwrite a stranger.
            id_mismatch = Some(id);
        }
    }
    let found = match_by_email_or_name(d, ix, opts)?;
    Ok((found, if found.is_none() { id_mismatch } else { None }))
}

fn match_by_email_or_name(
    d: &RowData,
    ix: &Index,
    opts: &ImportOptions,
) -> Result<Option<(i64, By)>, String> {
    if opts.match_email && !d.email_key.is_empty() {
        match ix.by_email.get(key(&d.email_key)) {
            Found::None => {}
            Found::One(id) => return Ok(Some((id, By::Email))),
            Found::Many(ids) => {
                let mut ids = ids.to_vec();
                ids.sort_unstable();
                return Err(format!(
                    "the email {} belongs to contacts of several customers (ids {ids:?}); add a Customer ID column to say which",
                    d.email_key
                ));
            }
        }
    }
    if !opts.match_name {
        return Ok(None);
    }
    match ix.by_name.get(key(&d.name)) {
        Found::None => Ok(None),
        Found::One(id) => Ok(Some((id, By::Name))),
        Found::Many(_) => Err(format!(
            "several customers are named {:?}; add a Customer ID or an email column to say which",
            d.name
        )),
    }
}

async fn resolve_type<C: ConnectionTrait>(
    c: &C,
    name: &str,
    cache: &mut Cache,
) -> AppResult<Option<i64>> {
    if let Some(hit) = cache.types.get(name) {
        return Ok(*hit);
    }
    let id = lookups::type_id_by_name(c, name).await?;
    cache.types.insert(name.to_owned(), id);
    Ok(id)
}

async fn resolve_group<C: ConnectionTrait>(c: &C, name: &str, cache: &mut Cache) -> AppResult<i64> {
    let key = name.to_lowercase();
    if let Some(id) = cache.groups.get(&key) {
        return Ok(*id);
    }
    let id = match lookups::find_group(c, name).await? {
        Some(id) => id,
        None => lookups::insert_group(c, name).await?,
    };
    cache.groups.insert(key, id);
    Ok(id)
}

async fn resolve_staff<C: ConnectionTrait>(
    c: &C,
    name: &str,
    cache: &mut Cache,
) -> AppResult<Option<i64>> {
    if let Some(hit) = cache.staff.get(name) {
        return Ok(*hit);
    }
    let row = query_one(
        c,
        "SELECT id FROM users WHERE LOWER(username) = LOWER(?) OR LOWER(name) = LOWER(?) ORDER BY id LIMIT 1",
        vec![name.to_owned().into(), name.to_owned().into()],
    )
    .await?;
    let id = row.map(|r| r.try_get("", "id")).transpose()?;
    cache.staff.insert(name.to_owned(), id);
    Ok(id)
}

async fn apply_row<C: ConnectionTrait>(
    c: &C,
    d: &RowData,
    mapping: &Mapping,
    line: u64,
    report: &mut ImportReport,
    cache: &mut Cache,
    opts: &ImportOptions,
) -> AppResult<Option<Outcome>> {
    let type_hint = mapping.type_hint.as_deref();
    let mapped = |f: Field| mapping.columns.contains_key(&f);
    let row_emails = std::iter::once(d.email_key.clone()).chain(
        d.more_contacts
            .iter()
            .map(|(_, contact, _)| contact.email_key()),
    );
    // Emails given on an earlier line: (email, that line), warned about once the row is applied.
    let mut repeated: Vec<(String, u64)> = Vec::new();
    for email_key in row_emails.filter(|e| !e.is_empty()) {
        match cache.emails.entry(key(&email_key)) {
            std::collections::hash_map::Entry::Occupied(first) => {
                repeated.push((email_key, *first.get()));
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(line);
            }
        }
    }
    let type_id = match (d.type_name.as_str(), type_hint) {
        ("", None) => None,
        ("", Some(hint)) => resolve_type(c, hint, cache).await?,
        (name, _) => match resolve_type(c, name, cache).await? {
            Some(id) => Some(id),
            None => {
                skip(
                    report,
                    line,
                    format!("customer_type: there is no customer type named {name:?}"),
                );
                return Ok(None);
            }
        },
    };
    let mut group_ids = Vec::new();
    for g in rejoin_group_names(&d.groups, &cache.comma_groups) {
        let id = resolve_group(c, &g, cache).await?;
        if !group_ids.contains(&id) {
            group_ids.push(id);
        }
    }
    let mut staff_ids = Vec::new();
    for s in &d.staff {
        match resolve_staff(c, s, cache).await? {
            Some(id) if staff_ids.contains(&id) => {}
            Some(id) => staff_ids.push(id),
            None => warn(
                report,
                line,
                format!("staff: no user is named {s:?}; the customer was imported without it"),
            ),
        }
    }
    if cache.pending.keys.touches(d, opts)
        || cache.writer.as_ref().is_some_and(|w| w.touches(d, opts))
    {
        flush(cache).await?;
    }
    let (found, stranger) = match find_match(d, cache, opts) {
        Ok(m) => m,
        Err(reason) => {
            skip(report, line, reason);
            return Ok(None);
        }
    };
    if let Some(id) = stranger {
        let existing = customers::get_in(c, id).await?.customer_name;
        warn(
            report,
            line,
            format!("customer id {id} belongs to {existing:?}, whose name and email differ from this row, so a new customer was created"),
        );
    }
    // The index matched on keys; the stored customer confirms the match before any write.
    let mut matched = None;
    if let Some((id, by)) = found {
        let first_new_id = cache.index.first_new_id;
        let (current, contacts) = cache.ahead.take(c, id, first_new_id).await?;
        let confirmed = match by {
            By::Name => current.customer_name == d.name,
            By::Email => contacts
                .iter()
                .any(|e| e.email.to_lowercase() == d.email_key),
            By::Id | By::FileId => true,
        };
        if confirmed {
            // The same email on two lines naming different customers: applying the second
            // would rename the first line's customer, and every re-import would flip it back.
            if by == By::Email && current.customer_name != d.name {
                if let Some((email, first_line)) = repeated.iter().find(|(e, _)| *e == d.email_key)
                {
                    skip(
                        report,
                        line,
                        format!(
                            "the email {email} is also on line {first_line}, for the customer {:?}; this row names {:?}. One email cannot identify two customers in one file: correct one of the lines",
                            current.customer_name, d.name
                        ),
                    );
                    return Ok(None);
                }
            }
            matched = Some((id, current, contacts));
        }
    }
    for (email, first_line) in &repeated {
        warn(
            report,
            line,
            format!("the email {email} is also on line {first_line}; this row was applied to the same contact"),
        );
    }
    match matched {
        None => {
            let fields = CustomerFields {
                name: d.name.clone(),
                type_id: type_id.unwrap_or(DEFAULT_TYPE_ID),
                number: d.number.clone(),
                credit: d.credit.unwrap_or(0),
                tax: d.tax.clone().flatten(),
                invoice_prefix: d.invoice_prefix.clone(),
                address: d.address.clone(),
                archived: false,
            };
            let p = &mut cache.pending;
            if let Some(f) = d.file_key {
                p.keys.file_ids.insert(f);
            }
            if !d.email_key.is_empty() {
                p.keys.emails.insert(d.email_key.clone());
            }
            p.keys.names.insert(fields.name.clone());
            p.rows.push((fields, d.contact.clone()));
            p.links.push(NewLinks {
                file_id: d.file_key,
                groups: group_ids,
                staff: staff_ids,
                note: d.note.clone(),
                extra: d
                    .extra
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .cloned()
                    .collect(),
            });
            if d.contact.is_some() {
                report.contacts_created += 1;
            }
            if !d.more_contacts.is_empty() {
                // The further contacts need the customer's id: write it now.
                let ids = flush(cache).await?;
                if let Some(&id) = ids.last() {
                    merge_more_contacts(c, id, (line, d), mapping, report, cache, opts).await?;
                }
            } else if p.rows.len() >= PENDING_MAX {
                dispatch(cache).await?;
            }
            Ok(Some(Outcome::Created))
        }
        Some((id, current, contacts)) => {
            if let Some(f) = d.file_key.filter(|_| d.customer_id != Some(id)) {
                cache.file_ids.insert(f, id);
            }
            let before = customers::fields_of(&current);
            let mut after = before.clone();
            // Blank cells leave what is stored alone unless the user asked for blanks to clear,
            // and then only in the columns the file has.
            let set = |target: &mut String, v: &str, f: Field| {
                if !v.is_empty() || (opts.clear_blanks && mapped(f)) {
                    *target = v.to_owned();
                }
            };
            set(&mut after.name, &d.name, Field::CustomerName);
            set(&mut after.number, &d.number, Field::CustomerNumber);
            set(
                &mut after.invoice_prefix,
                &d.invoice_prefix,
                Field::InvoicePrefix,
            );
            set(&mut after.address.line_1, &d.address.line_1, Field::Line1);
            set(&mut after.address.line_2, &d.address.line_2, Field::Line2);
            set(&mut after.address.suburb, &d.address.suburb, Field::Suburb);
            set(&mut after.address.state, &d.address.state, Field::State);
            set(&mut after.address.region, &d.address.region, Field::Region);
            set(
                &mut after.address.country,
                &d.address.country,
                Field::Country,
            );
            set(
                &mut after.address.post_code,
                &d.address.post_code,
                Field::PostCode,
            );
            // A name is never blanked: the row's name fell back to its contact's.
            if after.name.is_empty() {
                after.name = before.name.clone();
            }
            match d.credit {
                Some(credit) => after.credit = credit,
                None if opts.clear_blanks && mapped(Field::Credit) => after.credit = 0,
                None => {}
            }
            match &d.tax {
                Some(tax) => after.tax = tax.clone(),
                None if opts.clear_blanks && mapped(Field::TaxRate) => after.tax = None,
                None => {}
            }
            if let Some(t) = type_id {
                after.type_id = t;
            }
            let mut changed = customers::write_fields(c, id, &before, &after).await?;
            cache.index.rename(id, &before.name, &after.name);
            // Groups and staff in the file are added to the customer's; with clear_blanks the
            // file's list (blank: none) replaces them, in the columns the file has.
            let merged = |have: Vec<i64>, given: &[i64], replace: bool| -> Option<Vec<i64>> {
                let want: Vec<i64> = if replace {
                    given.to_vec()
                } else {
                    let mut all = have.clone();
                    all.extend(given.iter().filter(|g| !have.contains(g)));
                    all
                };
                let (mut a, mut b) = (have, want.clone());
                a.sort_unstable();
                b.sort_unstable();
                b.dedup();
                (a != b).then_some(want)
            };
            let have_groups: Vec<i64> = current.groups.iter().map(|g| g.id).collect();
            let replace_groups = opts.clear_blanks && mapped(Field::Groups);
            if let Some(groups) = merged(have_groups, &group_ids, replace_groups) {
                customers::set_groups(c, id, &groups).await?;
                changed = true;
            }
            let have_staff: Vec<i64> = current.staff.iter().map(|s| s.id).collect();
            let replace_staff = opts.clear_blanks && mapped(Field::Staff);
            if let Some(staff) = merged(have_staff, &staff_ids, replace_staff) {
                customers::set_staff(c, id, &staff).await?;
                changed = true;
            }
            if let Some(contact) = &d.contact {
                if !contact.email.is_empty() {
                    cache.index.add_email(id, &contact.email_key());
                }
                if merge_contact(
                    c,
                    id,
                    &contacts,
                    (contact, d.first_name_given),
                    report,
                    opts.clear_blanks,
                    &mapped,
                )
                .await?
                {
                    changed = true;
                    customers::refresh_search(c, id).await?;
                }
            }
            if merge_more_contacts(c, id, (line, d), mapping, report, cache, opts).await? {
                changed = true;
            }
            // Extra fields in the file are set; a blank cell leaves the stored value alone
            // unless blanks clear.
            let extra_changes: Vec<(String, String)> = d
                .extra
                .iter()
                .filter(|(_, v)| !v.is_empty() || opts.clear_blanks)
                .cloned()
                .collect();
            let extra_changes = super::extra::diff(&current.extra, &extra_changes);
            if !extra_changes.is_empty() {
                super::extra::apply(c, id, &extra_changes).await?;
                changed = true;
            }
            if add_note(c, id, &d.note).await? {
                cache.notes_added += 1;
                changed = true;
            }
            if changed && before == after {
                customers::touch(c, id).await?;
            }
            Ok(Some(if changed {
                Outcome::Updated(id)
            } else {
                Outcome::Unchanged(id)
            }))
        }
    }
}

/// Adds `body` as a note of customer `id` unless it is blank or the customer already has a note
/// with exactly this text. True when a note was added.
async fn add_note<C: ConnectionTrait>(c: &C, id: i64, body: &str) -> AppResult<bool> {
    if body.is_empty() {
        return Ok(false);
    }
    let exists = query_one(
        c,
        "SELECT id FROM notes WHERE customer_id = ? AND body = ? LIMIT 1",
        vec![id.into(), body.into()],
    )
    .await?
    .is_some();
    if exists {
        return Ok(false);
    }
    super::notes::insert(
        c,
        super::notes::NoteRow {
            owner_kind: ucm_types::NoteOwnerKind::Customer,
            owner_id: id,
            body,
            note_at: None,
            reminder: false,
            reminder_user_id: None,
            public: false,
            created_by: None,
        },
    )
    .await?;
    Ok(true)
}

/// Adds or updates the row's further contacts (numbered column groups) on customer `id`.
/// True when anything changed.
async fn merge_more_contacts<C: ConnectionTrait>(
    c: &C,
    id: i64,
    (line, d): (u64, &RowData),
    mapping: &Mapping,
    report: &mut ImportReport,
    cache: &mut Cache,
    opts: &ImportOptions,
) -> AppResult<bool> {
    let mut changed = false;
    for (group, contact, first_name_given) in &d.more_contacts {
        if !contact.email.is_empty() {
            let others: Vec<i64> = match cache.index.by_email.get(key(&contact.email_key())) {
                Found::None => Vec::new(),
                Found::One(other) => vec![other],
                Found::Many(ids) => ids.to_vec(),
            };
            if let Some(other) = others.into_iter().find(|o| *o != id) {
                warn(
                    report,
                    line,
                    format!(
                        "contact{group}.email {} is already a contact of customer {other}; it was not added to this customer too",
                        contact.email
                    ),
                );
                continue;
            }
        }
        let existing = contacts::list_in(c, id).await?;
        // A blank cell clears only with --clear-blanks and only where the group has a column.
        let mapped = |f: Field| {
            let f = ContactPart::of(f).map_or(f, |p| Field::Grouped(*group, p));
            mapping.columns.contains_key(&f)
        };
        if merge_contact(
            c,
            id,
            &existing,
            (contact, *first_name_given),
            report,
            opts.clear_blanks,
            &mapped,
        )
        .await?
        {
            changed = true;
        }
        if !contact.email.is_empty() {
            cache.index.add_email(id, &contact.email_key());
        }
    }
    if changed {
        customers::refresh_search(c, id).await?;
    }
    Ok(changed)
}

/// Updates the customer's contact with this email (or, without an email, its primary contact
/// of the same name) from the row's non-blank cells, or adds the contact. True when anything changed.
async fn merge_contact<C: ConnectionTrait>(
    c: &C,
    customer_id: i64,
    existing: &[ucm_types::Contact],
    (row, first_name_given): (&ContactFields, bool),
    report: &mut ImportReport,
    clear_blanks: bool,
    mapped: &dyn Fn(Field) -> bool,
) -> AppResult<bool> {
    let found = if !row.email.is_empty() {
        existing
            .iter()
            .find(|e| e.email.to_lowercase() == row.email_key())
    } else {
        existing
            .iter()
            .find(|e| e.first_name == row.first_name && e.last_name == row.last_name)
            .or_else(|| existing.iter().find(|e| e.is_primary && e.email.is_empty()))
    };
    match found {
        Some(e) => {
            let before = contacts::fields_of(e);
            let mut after = before.clone();
            let set = |target: &mut String, v: &str, f: Field| {
                if !v.is_empty() || (clear_blanks && mapped(f)) {
                    *target = v.to_owned();
                }
            };
            if first_name_given {
                set(&mut after.first_name, &row.first_name, Field::FirstName);
            }
            if after.first_name.is_empty() {
                after.first_name = before.first_name.clone();
            }
            set(&mut after.last_name, &row.last_name, Field::LastName);
            set(&mut after.email, &row.email, Field::Email);
            set(&mut after.phone, &row.phone, Field::Phone);
            set(&mut after.mobile, &row.mobile, Field::Mobile);
            set(&mut after.fax, &row.fax, Field::Fax);
            set(&mut after.language, &row.language, Field::Language);
            set(&mut after.position, &row.position, Field::Position);
            if after == before {
                return Ok(false);
            }
            contacts::write_fields(c, e.id, &after).await?;
            Ok(true)
        }
        None => {
            contacts::insert(c, customer_id, row, false).await?;
            report.contacts_created += 1;
            Ok(true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_maps_are_parsed_strictly() {
        let m = parse_column_map("3=contact.email, 5=ignore,1:customer_name,7=Extra: VAT no ")
            .unwrap_or_default();
        assert_eq!(m.get(&3), Some(&Some(Target::Field(Field::Email))));
        assert_eq!(m.get(&5), Some(&None));
        assert_eq!(m.get(&1), Some(&Some(Target::Field(Field::CustomerName))));
        assert_eq!(m.get(&7), Some(&Some(Target::Extra("VAT no".into()))));
        assert!(parse_column_map("2=extra:").is_err());
        assert!(parse_column_map("0=credit").is_err());
        assert!(parse_column_map("2=emial").is_err());
        assert!(parse_column_map("2=credit,2=ignore").is_err());
        assert!(parse_column_map("credit").is_err());
        assert!(Field::ALL
            .iter()
            .all(|f| Field::from_name(f.name()) == Some(*f)));
    }

    #[test]
    fn extra_columns_are_found_by_prefix_and_by_a_stored_key() {
        let headers: Vec<String> = [
            "Customer Name",
            "extra:Birthday",
            "EXTRA:vat",
            "Referrer",
            "Hobby",
            "Email",
        ]
        .map(String::from)
        .to_vec();
        let stored = ["VAT".to_owned(), "referrer".to_owned()];
        let auto = auto_targets(&headers, &[], &stored);
        assert_eq!(
            auto,
            vec![
                Some(Target::Field(Field::CustomerName)),
                Some(Target::Extra("Birthday".into())),
                Some(Target::Extra("VAT".into())),
                Some(Target::Extra("referrer".into())),
                None,
                Some(Target::Field(Field::Email)),
            ]
        );
        let overrides = HashMap::from([(5, Some(Target::Extra("Birthday".into())))]);
        let (mapping, mapped, ignored) = build_mapping(&headers, &auto, &[], &overrides);
        assert_eq!(
            mapping.extra,
            vec![
                ("Birthday".to_owned(), vec![1, 4]),
                ("VAT".to_owned(), vec![2]),
                ("referrer".to_owned(), vec![3])
            ]
        );
        assert!(ignored.is_empty());
        assert_eq!(mapped[4].field, "extra:Birthday");

        // Keys that differ only in case each keep their own column; UCM's reserved import
        // columns never become extra fields.
        let stored = [
            "Hobby".to_owned(),
            "Password".to_owned(),
            "hobby".to_owned(),
        ];
        let headers: Vec<String> = [
            "Name",
            "extra:hobby",
            "extra:Hobby",
            "extra:HOBBY",
            "HOBBY",
            "Password",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            auto_targets(&headers, &[], &stored)[1..],
            [
                Some(Target::Extra("hobby".into())),
                Some(Target::Extra("Hobby".into())),
                Some(Target::Extra("Hobby".into())),
                Some(Target::Extra("Hobby".into())),
                None,
            ]
        );
    }

    #[test]
    fn numbered_contact_groups_are_recognised() {
        let m = |h: &str| map_header(h, &[], true);
        assert_eq!(
            m("Contact 2 Email"),
            Some(Field::Grouped(2, ContactPart::Email))
        );
        assert_eq!(
            m("contact2_first_name"),
            Some(Field::Grouped(2, ContactPart::FirstName))
        );
        assert_eq!(
            m("Contact #3 Mobile Phone"),
            Some(Field::Grouped(3, ContactPart::Mobile))
        );
        assert_eq!(
            m("Contact 9 Name"),
            Some(Field::Grouped(9, ContactPart::Name))
        );
        assert_eq!(m("Contact 1 Email"), Some(Field::Email));
        assert_eq!(m("Contact 10 Email"), None, "groups go to 9");
        assert_eq!(m("Contact 2 Shoe Size"), None);
        assert_eq!(m("Contact Email"), Some(Field::Email));
        for g in FIRST_GROUP..=LAST_GROUP {
            for f in Field::group_fields(g) {
                assert_eq!(Field::from_name(f.name()), Some(f));
            }
        }
        assert_eq!(
            Field::Grouped(4, ContactPart::Position).name(),
            "contact4.position"
        );
        assert_eq!(
            Field::Grouped(4, ContactPart::Position).label(),
            "Contact 4 position"
        );
    }

    #[test]
    fn headers_are_normalized() {
        assert_eq!(
            normalize_header("\u{feff}Billing Apt/Suite "),
            "billing apt suite"
        );
        assert_eq!(
            normalize_header("postal_code/zip_code"),
            "postal code zip code"
        );
    }

    #[test]
    fn ucm_and_other_headers_map() {
        let types = vec!["customer".to_owned(), "lead".to_owned()];
        assert_eq!(
            map_header("Customer ID", &types, false),
            Some(Field::CustomerId)
        );
        assert_eq!(
            map_header("Lead Name", &types, false),
            Some(Field::CustomerName)
        );
        assert_eq!(
            map_header("Primary Email", &types, false),
            Some(Field::Email)
        );
        assert_eq!(
            map_header("Billing Postal Code", &types, false),
            Some(Field::PostCode)
        );
        assert_eq!(map_header("Name", &types, false), Some(Field::CustomerName));
        assert_eq!(map_header("Name", &types, true), Some(Field::ContactName));
        assert_eq!(map_header("Shipping Street", &types, false), None);
        assert_eq!(map_header("", &types, false), None);
    }
}
