//! PW2xx: GitHub Action references. Every workflow and action parser hands over its `uses:`
//! occurrences (`ActionUse`); this module gives each to the rules in precedence order.

use crate::model::action::ActionUse;

/// One `uses:` occurrence as the chain sees it.
pub struct Subject<'a> {
    pub action: &'a ActionUse,
}

impl<'a> Subject<'a> {
    pub fn new(action: &'a ActionUse) -> Self {
        Self { action }
    }
}
