//! The step-wise import: upload a file once, look at what was detected, map the columns,
//! preview, commit, read the report.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::{IntoParams, ToSchema};

use crate::ImportReport;

/// A stored upload and what was detected in it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportUpload {
    /// Opaque id of the stored upload, used by the later steps.
    pub id: String,
    /// The file name the client gave (`?name=`), for display only.
    pub file_name: String,
    pub size: u64,
    pub uploaded_at: String,
    /// The text encoding that was detected, e.g. `UTF-8`, `UTF-8 with BOM`, `windows-1252`.
    pub encoding: String,
    /// `,`, `;`, `tab` or `|`.
    pub delimiter: String,
    /// 1-based line of the header; lines above it are a preamble and are not imported.
    pub header_row: u64,
    /// Records below the header, blank ones included.
    pub data_rows: u64,
    /// Every column of the header, with the field it is matched to automatically.
    pub columns: Vec<ImportColumn>,
    /// The fields a column can be mapped to.
    pub fields: Vec<ImportField>,
    /// Set once the upload has been imported (then it cannot be imported again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ImportReport>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportColumn {
    /// 1-based column number.
    pub column: u64,
    pub header: String,
    /// The field this column feeds when nothing else is chosen; `null`: not imported.
    pub field: Option<String>,
    /// The first few non-empty values of the column.
    pub samples: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportField {
    /// What `ColumnChoice.field` takes, e.g. `contact.email`.
    pub name: String,
    /// A label for people, e.g. `Contact: email`.
    pub label: String,
}

/// A column mapped by hand: to a field, or (`field: null`) not imported.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ColumnChoice {
    pub column: u64,
    pub field: Option<String>,
}

/// The options of a preview or commit. Every field is optional; the defaults are those of
/// the one-shot import.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ImportSettings {
    /// Match rows to existing customers by the Customer ID column.
    pub match_id: bool,
    /// ... else by a contact's email, case-insensitively.
    pub match_email: bool,
    /// ... else by the exact customer name.
    pub match_name: bool,
    /// A blank cell in a mapped column clears the stored value (names are never blanked).
    pub clear_blanks: bool,
    /// Refuse the whole file (422 listing the rows) if any row would be skipped.
    pub all_or_nothing: bool,
    /// Columns mapped by hand; columns not named keep their automatic match.
    pub columns: Vec<ColumnChoice>,
}

impl Default for ImportSettings {
    fn default() -> Self {
        Self {
            match_id: true,
            match_email: true,
            match_name: true,
            clear_blanks: false,
            all_or_nothing: false,
            columns: Vec::new(),
        }
    }
}

/// A dry run of the whole file, with the first rows shown as they would be imported.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportPreview {
    pub report: ImportReport,
    pub rows: Vec<PreviewRow>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    Create,
    Update,
    Unchanged,
    Skip,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PreviewRow {
    /// 1-based line of the file.
    pub row: u64,
    pub cells: Vec<String>,
    pub action: RowAction,
    /// The existing customer the row would update (absent for new and skipped rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i64>,
    /// Why the row would be skipped, or what would not be imported from it.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ImportUploadQuery {
    /// The file's name, shown back in the wizard.
    pub name: Option<String>,
}
