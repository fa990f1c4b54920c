//! The wire types of the ucm REST API. The server and the SPA both compile this crate, so a
//! field exists in exactly one place.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

mod imports;
pub mod money;
mod records;
pub use imports::*;
pub use records::*;

/// The one error body of the API (RFC 9457 `application/problem+json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Problem {
    /// A stable machine-readable kind, e.g. `validation`, `not-found`, `conflict`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Per-field messages for validation failures, keyed by the request's field name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, Vec<String>>,
}

/// For a partial update's field that cannot be cleared: absent leaves it alone, `null` is an
/// error (422 naming the field) rather than silently doing nothing.
fn not_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(d)? {
        Some(v) => Ok(Some(v)),
        None => Err(serde::de::Error::custom(
            "must not be null (leave the field out to keep its value)",
        )),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Staff,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct User {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewUser {
    pub username: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    pub password: String,
    pub role: Role,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginResponse {
    /// A JWT to send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    pub status: String,
    pub database: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CustomerType {
    pub id: i64,
    pub name: String,
    /// printf-style mask for new customer numbers; `%05s` becomes the zero-padded sequence.
    pub number_mask: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewCustomerType {
    pub name: String,
    #[serde(default)]
    pub number_mask: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Group {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewGroup {
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default)]
    pub line_1: String,
    #[serde(default)]
    pub line_2: String,
    #[serde(default)]
    pub suburb: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub post_code: String,
}

/// A partial address: absent fields are left as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddressUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suburb: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_code: Option<String>,
}

impl From<Address> for AddressUpdate {
    fn from(a: Address) -> Self {
        Self {
            line_1: Some(a.line_1),
            line_2: Some(a.line_2),
            suburb: Some(a.suburb),
            state: Some(a.state),
            region: Some(a.region),
            country: Some(a.country),
            post_code: Some(a.post_code),
        }
    }
}

/// A customer's own tax, replacing the system default.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TaxOverride {
    pub name: String,
    /// Percentage as a decimal string with at most 4 decimals, e.g. `"10.00"`.
    pub rate: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ContactSummary {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Customer {
    pub id: i64,
    pub customer_name: String,
    pub customer_type: CustomerType,
    pub customer_number: String,
    /// Credit balance in minor units (cents) of the system currency.
    pub credit: i64,
    /// `null` means "use the system tax".
    pub default_tax: Option<TaxOverride>,
    pub default_invoice_prefix: String,
    pub address: Address,
    pub groups: Vec<Group>,
    pub staff: Vec<User>,
    pub primary_contact: Option<ContactSummary>,
    /// Extra fields (UCM's free-form fields): key → value, keys in order. Only fields with a
    /// value are present.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
    /// Computed from its invoices when read.
    pub status: CustomerStatus,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Same value as the `ETag` header, for clients that cannot read headers.
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CustomerListItem {
    pub id: i64,
    pub customer_name: String,
    pub customer_number: String,
    pub customer_type: String,
    pub customer_type_id: i64,
    pub primary_contact: Option<ContactSummary>,
    pub groups: Vec<String>,
    /// Computed from its invoices when read; the list colours names by it.
    pub status: CustomerStatus,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CustomerPage {
    pub items: Vec<CustomerListItem>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CustomerSort {
    #[default]
    Name,
    PrimaryContact,
    Email,
    Created,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortDir {
    #[default]
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ArchivedFilter {
    /// Only customers that are not archived (the default).
    #[default]
    Active,
    Archived,
    All,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct CustomerQuery {
    /// Case- and accent-insensitive substring search over customer name and number and its
    /// contacts' names, emails and phones. Words are ANDed; `%`, `_` and `\` are literal.
    pub q: Option<String>,
    pub type_id: Option<i64>,
    pub group_id: Option<i64>,
    pub staff_id: Option<i64>,
    /// Only customers with this computed invoice status.
    pub status: Option<CustomerStatus>,
    pub archived: Option<ArchivedFilter>,
    pub sort: Option<CustomerSort>,
    pub dir: Option<SortDir>,
    /// 1-based page number (default 1).
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub page: Option<u64>,
    /// Items per page, 1 to 200 (default 25).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub per_page: Option<u64>,
}

/// A new customer. Only `customer_name` is required.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    pub customer_name: String,
    /// Defaults to the "Customer" type.
    #[serde(default)]
    pub customer_type_id: Option<i64>,
    /// Left empty, a number is drawn from the type's mask.
    #[serde(default)]
    pub customer_number: Option<String>,
    #[serde(default)]
    pub credit: Option<i64>,
    #[serde(default)]
    pub default_tax: Option<TaxOverride>,
    #[serde(default)]
    pub default_invoice_prefix: Option<String>,
    #[serde(default)]
    pub address: Option<Address>,
    #[serde(default)]
    pub group_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub staff_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub archived: Option<bool>,
    /// Becomes the primary contact.
    #[serde(default)]
    pub primary_contact: Option<NewContact>,
    /// Extra fields, key → value (a key has 1 to 64 characters; a blank value is no field).
    #[serde(default)]
    pub extra: Option<BTreeMap<String, String>>,
}

/// A partial update: absent fields are left alone.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerUpdate {
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_type_id: Option<i64>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_number: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub credit: Option<i64>,
    /// `{"use_system": true}` to go back to the system tax, else a `TaxOverride`.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_tax: Option<TaxChoice>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_invoice_prefix: Option<String>,
    /// Only the address fields given are changed.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub address: Option<AddressUpdate>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_ids: Option<Vec<i64>>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub staff_ids: Option<Vec<i64>>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub archived: Option<bool>,
    /// Extra fields to set, key → value; an empty value removes the field. Keys not named
    /// are left alone.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub extra: Option<BTreeMap<String, String>>,
}

/// An extra field key in use, with how many customers have it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ExtraFieldKey {
    pub key: String,
    pub customers: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(untagged)]
pub enum TaxChoice {
    Custom(TaxOverride),
    System { use_system: bool },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Contact {
    pub id: i64,
    pub customer_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub mobile: String,
    pub fax: String,
    pub language: String,
    pub position: String,
    pub is_primary: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    /// Required unless `name` is given.
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    /// A single full name; its last word becomes the last name (as UCM does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub mobile: String,
    #[serde(default)]
    pub fax: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub position: String,
    /// Make this the customer's primary contact (the first contact always is).
    #[serde(default)]
    pub is_primary: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactUpdate {
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub first_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub mobile: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub fax: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub language: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub position: Option<String>,
    /// Move the contact to another customer.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_id: Option<i64>,
    /// `true` makes it primary; `false` is rejected (make another contact primary instead).
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_primary: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportReport {
    pub rows_read: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// The skipped rows, the first 10,000 of them; `skipped_total` counts them all.
    pub skipped: Vec<SkippedRow>,
    pub skipped_total: u64,
    pub contacts_created: u64,
    /// Notes added from the file's `Notes` column (a note already on the customer is not
    /// added again).
    #[serde(default)]
    pub notes_added: u64,
    /// Header text → ucm field, for every column that was used.
    pub mapped_columns: Vec<ColumnMapping>,
    /// Header text of every column that was not imported, with how many rows had a value there.
    pub ignored_columns: Vec<IgnoredColumn>,
    /// What was not imported from rows that were (the first 10,000; `warnings_total` counts all).
    pub warnings: Vec<RowMessage>,
    pub warnings_total: u64,
    pub header_row: u64,
    /// The text encoding that was detected, e.g. `UTF-8`, `UTF-8 with BOM`, `windows-1252`.
    pub encoding: String,
    /// The field delimiter that was detected: `,`, `;`, a tab or `|`.
    pub delimiter: String,
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ColumnMapping {
    pub column: u64,
    pub header: String,
    pub field: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IgnoredColumn {
    pub column: u64,
    pub header: String,
    pub non_empty_cells: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SkippedRow {
    /// 1-based line number of the record in the file.
    pub row: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RowMessage {
    pub row: u64,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LineEnding {
    /// `\r\n`, what Excel writes (the default).
    #[default]
    Crlf,
    Lf,
}

/// How an export file is written.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ExportQuery {
    /// Start with a UTF-8 byte order mark, so Excel opens accented names correctly.
    pub bom: Option<bool>,
    pub line_ending: Option<LineEnding>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ImportQuery {
    /// Parse, match and report without writing anything.
    pub dry_run: Option<bool>,
    /// Match rows to existing customers by the Customer ID column (default true). Rows of the
    /// same file that share a Customer ID always land on one customer.
    pub match_id: Option<bool>,
    /// ... else by a contact's email, case-insensitively (default true).
    pub match_email: Option<bool>,
    /// ... else by the exact customer name (default true).
    pub match_name: Option<bool>,
    /// A blank cell in a column the file has clears the stored value (default false: blanks
    /// leave what is stored alone). Names are never blanked.
    pub clear_blanks: Option<bool>,
    /// Refuse the whole file (422 listing the rows, nothing written) if any row would be
    /// skipped, instead of importing the good rows (default false).
    pub all_or_nothing: Option<bool>,
    /// Re-map columns: `3=contact.email,5=ignore` (1-based column numbers, as the report's
    /// `mapped_columns` / `ignored_columns` give them; fields as in `mapped_columns[].field`).
    /// Columns not named keep their automatic match.
    pub columns: Option<String>,
}
