//! Records linked to a customer (jobs, websites, invoices, tickets, files) and notes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

/// Tells "absent" (leave alone) from `null` (clear) in a partial update.
fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
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

macro_rules! page_type {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
        #[cfg_attr(feature = "openapi", derive(ToSchema))]
        pub struct $name {
            pub items: Vec<$item>,
            pub total: u64,
            pub page: u64,
            pub per_page: u64,
        }
    };
}

/// Computed from the customer's invoices, as UCM does: `overdue` when a sent invoice is past
/// its due date, else `owing` when a sent invoice is unpaid, else `paid` when it has paid
/// invoices, else `no_invoices`. Drafts are not yet owed and cancelled invoices never count.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    #[default]
    NoInvoices,
    Paid,
    Owing,
    Overdue,
}

impl CustomerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoInvoices => "no_invoices",
            Self::Paid => "paid",
            Self::Owing => "owing",
            Self::Overdue => "overdue",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::NoInvoices, Self::Paid, Self::Owing, Self::Overdue]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// What happens to a deleted customer's jobs, websites, invoices, tickets and files.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkedAction {
    /// Keep them, no longer linked to any customer (the default).
    #[default]
    Unlink,
    /// Delete them with the customer.
    Delete,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct CustomerDeleteQuery {
    /// `unlink` (default) keeps linked records without a customer; `delete` deletes them too.
    /// Contacts, notes, the address and group memberships always go.
    pub linked: Option<LinkedAction>,
}

/// How many records hang off a customer: what a delete would unlink or delete.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LinkedCounts {
    pub contacts: u64,
    /// Notes on the customer and its contacts: they always go with it. Notes on its other
    /// records follow those records.
    pub notes: u64,
    pub jobs: u64,
    pub websites: u64,
    pub invoices: u64,
    pub tickets: u64,
    pub files: u64,
}

/// Filters shared by the lists of jobs, websites, invoices and tickets.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct RecordQuery {
    /// Only records linked to this customer.
    pub customer_id: Option<i64>,
    /// `true`: only records linked to no customer (e.g. kept when their customer was deleted).
    pub unlinked: Option<bool>,
    /// One of the resource's status values.
    pub status: Option<String>,
    /// Earliest date, inclusive (`YYYY-MM-DD`): a job's start date, an invoice's issue date,
    /// a website's or ticket's creation date.
    pub date_from: Option<NaiveDate>,
    /// Latest date, inclusive, of the same date.
    pub date_to: Option<NaiveDate>,
    /// Case-insensitive substring of the name, subject or invoice number.
    pub q: Option<String>,
    /// 1-based page number (default 1).
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub page: Option<u64>,
    /// Items per page, 1 to 200 (default 25).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub per_page: Option<u64>,
}

// ---- jobs ----------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    #[default]
    New,
    InProgress,
    OnHold,
    Completed,
    Cancelled,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Job {
    pub id: i64,
    /// `null` once its customer was deleted with "keep linked records".
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub name: String,
    pub status: JobStatus,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub completed_date: Option<NaiveDate>,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewJob {
    pub customer_id: i64,
    pub name: String,
    /// Default `new`.
    #[serde(default)]
    pub status: Option<JobStatus>,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    #[serde(default)]
    pub completed_date: Option<NaiveDate>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A partial update: absent fields are left alone, `null` clears a date.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct JobUpdate {
    /// Link to another customer.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_id: Option<i64>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<JobStatus>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub start_date: Option<Option<NaiveDate>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub completed_date: Option<Option<NaiveDate>>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
}

page_type!(JobPage, Job);

// ---- websites ------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WebsiteStatus {
    #[default]
    New,
    Live,
    Offline,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Website {
    pub id: i64,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub name: String,
    pub url: String,
    pub status: WebsiteStatus,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebsite {
    pub customer_id: i64,
    pub name: String,
    /// `http://` or `https://` address; a bare host name gets `https://`.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub status: Option<WebsiteStatus>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebsiteUpdate {
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_id: Option<i64>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<WebsiteStatus>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
}

page_type!(WebsitePage, Website);

// ---- tickets -------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    #[default]
    New,
    Open,
    Pending,
    Resolved,
    Closed,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketPriority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Ticket {
    pub id: i64,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// The contact who raised it (one of the customer's contacts).
    pub contact_id: Option<i64>,
    pub subject: String,
    pub status: TicketStatus,
    pub priority: TicketPriority,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    pub customer_id: i64,
    #[serde(default)]
    pub contact_id: Option<i64>,
    pub subject: String,
    #[serde(default)]
    pub status: Option<TicketStatus>,
    #[serde(default)]
    pub priority: Option<TicketPriority>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TicketUpdate {
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_id: Option<i64>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub contact_id: Option<Option<i64>>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub subject: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<TicketStatus>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub priority: Option<TicketPriority>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
}

page_type!(TicketPage, Ticket);

// ---- invoices ------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    #[default]
    Draft,
    Sent,
    Paid,
    Cancelled,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvoiceItem {
    pub description: String,
    /// Decimal with at most 3 places, e.g. `"1.5"`.
    pub quantity: String,
    /// Minor units (cents) per unit; negative for a discount line.
    pub unit_price: i64,
    /// quantity × unit_price, rounded half away from zero to a minor unit.
    pub amount: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewInvoiceItem {
    pub description: String,
    /// Default `"1"`.
    #[serde(default)]
    pub quantity: Option<String>,
    pub unit_price: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Invoice {
    pub id: i64,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// The customer's invoice prefix followed by a sequence, unless given.
    pub number: String,
    /// ISO 4217 code, e.g. `USD`.
    pub currency: String,
    pub issue_date: NaiveDate,
    pub due_date: NaiveDate,
    pub status: InvoiceStatus,
    pub paid_date: Option<NaiveDate>,
    /// True when sent, unpaid and past its due date (computed when read).
    pub overdue: bool,
    pub items: Vec<InvoiceItem>,
    /// Minor units: the sum of the items' amounts, or the total given when there are none.
    pub total: i64,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewInvoice {
    pub customer_id: i64,
    /// Left out, the customer's invoice prefix (or `INV-`) plus the next number for it.
    #[serde(default)]
    pub number: Option<String>,
    /// Default: the server's `UCM_CURRENCY`.
    #[serde(default)]
    pub currency: Option<String>,
    /// Default: today (UTC).
    #[serde(default)]
    pub issue_date: Option<NaiveDate>,
    /// Default: 14 days after the issue date. Never before it.
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    /// Default `draft`.
    #[serde(default)]
    pub status: Option<InvoiceStatus>,
    /// Only with status `paid`; default today.
    #[serde(default)]
    pub paid_date: Option<NaiveDate>,
    /// Line items; when given, the total is their sum.
    #[serde(default)]
    pub items: Option<Vec<NewInvoiceItem>>,
    /// Minor units, for an invoice without line items.
    #[serde(default)]
    pub total: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvoiceUpdate {
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_id: Option<i64>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub number: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub currency: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub issue_date: Option<NaiveDate>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_date: Option<NaiveDate>,
    /// Moving to `paid` sets the paid date to today unless one is given; leaving `paid`
    /// clears it.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<InvoiceStatus>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub paid_date: Option<NaiveDate>,
    /// Replaces every line item.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub items: Option<Vec<NewInvoiceItem>>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub total: Option<i64>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
}

page_type!(InvoicePage, Invoice);

// ---- files ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FileMeta {
    pub id: i64,
    pub customer_id: Option<i64>,
    pub job_id: Option<i64>,
    /// The uploaded name, made safe (no path, no control characters).
    pub name: String,
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Hex SHA-256 of the content, checked again on every download.
    pub sha256: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
    /// Where to GET the content (as an attachment).
    pub download_url: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct FileUploadQuery {
    pub customer_id: i64,
    /// One of the customer's jobs.
    pub job_id: Option<i64>,
    /// The file's name as the user had it.
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct FileQuery {
    pub customer_id: Option<i64>,
    /// `true`: only files linked to no customer (kept when their customer was deleted).
    pub unlinked: Option<bool>,
    pub job_id: Option<i64>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FileUpdate {
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// Link to (another) customer; a job of a different customer is then detached.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_id: Option<i64>,
    /// Attach to one of the customer's jobs, or `null` to detach.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub job_id: Option<Option<i64>>,
}

page_type!(FilePage, FileMeta);

// ---- notes ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoteOwnerKind {
    Customer,
    Contact,
    Job,
    Website,
    Invoice,
    Ticket,
}

impl NoteOwnerKind {
    pub const ALL: [NoteOwnerKind; 6] = [
        Self::Customer,
        Self::Contact,
        Self::Job,
        Self::Website,
        Self::Invoice,
        Self::Ticket,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Contact => "contact",
            Self::Job => "job",
            Self::Website => "website",
            Self::Invoice => "invoice",
            Self::Ticket => "ticket",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a note is written on.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NoteOwner {
    pub kind: NoteOwnerKind,
    pub id: i64,
    /// e.g. the job's name, the contact's full name, the invoice number.
    pub label: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Note {
    pub id: i64,
    pub owner: NoteOwner,
    /// The customer the owner belongs to (none for a record kept after its customer went).
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub body: String,
    /// When the note happened, or when its reminder is due.
    pub note_at: DateTime<Utc>,
    pub reminder: bool,
    /// Whom to remind; `null` with `reminder` means all staff.
    pub reminder_user_id: Option<i64>,
    pub reminder_done: bool,
    /// Shown to the customer (e.g. printed on an invoice).
    pub public: bool,
    pub created_by: Option<i64>,
    pub created_by_name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    pub owner_kind: NoteOwnerKind,
    pub owner_id: i64,
    pub body: String,
    /// Default: now.
    #[serde(default)]
    pub note_at: Option<DateTime<Utc>>,
    /// Remind staff at `note_at`.
    #[serde(default)]
    pub reminder: Option<bool>,
    /// With `reminder`: this staff user; left out: all staff.
    #[serde(default)]
    pub reminder_user_id: Option<i64>,
    #[serde(default)]
    pub public: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoteUpdate {
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub body: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub note_at: Option<DateTime<Utc>>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub reminder: Option<bool>,
    /// A staff user, or `null` for all staff.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub reminder_user_id: Option<Option<i64>>,
    /// Mark the reminder as dealt with.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub reminder_done: Option<bool>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub public: Option<bool>,
}

page_type!(NotePage, Note);

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct NoteQuery {
    /// With `owner_id`: the notes written on that one record.
    pub owner_kind: Option<NoteOwnerKind>,
    pub owner_id: Option<i64>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PageQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ReminderQuery {
    /// Reminders due up to this instant (default: now). Use a later time to see what is coming.
    pub until: Option<DateTime<Utc>>,
    /// Also list reminders already marked done.
    pub include_done: Option<bool>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}
