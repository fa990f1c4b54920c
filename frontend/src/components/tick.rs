//! A counter to bump when a list should load again. A reducer, so a listener or a timer made
//! once (that keeps an old handle) still counts up from the current value.

use std::rc::Rc;

use yew::prelude::*;

#[derive(Clone, Copy, PartialEq, Default)]
pub struct Tick(pub u32);

impl Reducible for Tick {
    type Action = ();

    fn reduce(self: Rc<Self>, _: ()) -> Rc<Self> {
        Rc::new(Tick(self.0.wrapping_add(1)))
    }
}
