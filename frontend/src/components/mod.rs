pub mod form;
pub mod modal;
