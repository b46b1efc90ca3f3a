//! Consent: a witness is named only if they agreed to be.
//!
//! A non-public person the policy reveals must have a `named` testimony and
//! no `internal` one (for the team's eyes only), unless the policy says, by
//! ref, that it knows better (`[persons] reveal_despite_consent`).

use crate::domain::record::{Consent, Record};
use crate::format::hex;

use super::super::policy::Policy;
use super::people::People;
use super::{Error, Source};

/// Refuses a policy that would name a witness without their consent.
pub(super) fn check(people: &People, case: &Source, policy: &Policy) -> Result<(), Error> {
    for p in people.list.iter().filter(|p| p.revealed && !p.latest.public) {
        let h = p.latest.handle.as_deref().unwrap_or("");
        let consents: Vec<Consent> = case
            .records
            .iter()
            .filter(|r| r.retraction.is_none())
            .filter_map(|r| match &r.latest().record {
                Record::Testimony(t) if t.witness == h => Some(t.consent),
                _ => None,
            })
            .collect();
        let named = consents.contains(&Consent::Named);
        let internal = consents.contains(&Consent::Internal);
        if consents.is_empty() || (named && !internal) || policy.persons.reveal_despite_consent.iter().any(|x| x == h) {
            continue;
        }
        return Err(Error::NoConsent {
            record: hex(&p.state.id)[..16].to_string(),
            why: if named {
                "with internal testimony"
            } else {
                "with no testimony of consent named"
            },
        });
    }
    Ok(())
}
