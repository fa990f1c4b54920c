pub mod form;
pub mod modal;
pub mod notes;
pub mod pager;
pub mod reminders;
pub mod status;
pub mod tick;
