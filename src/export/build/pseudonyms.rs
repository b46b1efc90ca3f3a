//! Pseudonyms: who is shown as whom.
//!
//! Hidden people get a pseudonym by role and a letter (`Witness A`, `Lawyer
//! B`), in the order they were recorded; team members who appear in some
//! text get `Team member A`, in roster order. Then every marker the redactor
//! left in the extract's text is resolved to the name or pseudonym it stands
//! for, and the timeline is put in date order.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::domain::date::PartialDate;
use crate::domain::record::{vocab_name, Role};
use crate::format::hex;

use super::super::model::PersonOut;
use super::super::redact;
use super::super::report::{LeftOut, PersonLine};
use super::appear::Description;
use super::people::People;
use super::records::{Builder, Selected};
use super::SHARED_NAME;

/// The pseudonym stem for a role.
pub fn role_label(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::Victim) => "Victim",
        Some(Role::Witness) => "Witness",
        Some(Role::Lawyer) => "Lawyer",
        Some(Role::Family) => "Family member",
        Some(Role::Perpetrator) => "Perpetrator",
        Some(Role::Official) => "Official",
        Some(Role::Other) | None => "Person",
    }
}

/// Letters for the n-th pseudonym: A … Z, AA, AB, …
pub fn letters(mut n: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    out.reverse();
    out.into_iter().map(char::from).collect()
}

/// Gives each listed person their label, resolves every marker in
/// `selected`, and returns the list of persons.
pub(super) fn assign(
    b: &mut Builder,
    people: &People,
    team: &[Vec<String>],
    team_base: usize,
    used: &HashSet<usize>,
    mut described: BTreeMap<usize, Description>,
    selected: &mut Selected,
) -> Vec<PersonOut> {
    let mut labels: HashMap<usize, String> = HashMap::new();
    let mut listed = Vec::new();
    let mut n = 0;
    for (i, p) in people.list.iter().enumerate() {
        let in_list = (p.revealed && !p.retracted) || used.contains(&i);
        let shown = if !in_list {
            "not in the extract".to_string()
        } else if p.revealed {
            p.latest.name.clone()
        } else {
            let l = format!("{} {}", role_label(p.latest.role), letters(n));
            n += 1;
            labels.insert(i, l.clone());
            l
        };
        b.report.persons.push(PersonLine {
            id: hex(&p.state.id)[..16].to_string(),
            handle: p.latest.handle.clone(),
            role: p.latest.role.map(|r| vocab_name(&r)),
            named: in_list && p.revealed,
            shown_as: if p.revealed && in_list {
                "(their name)".into()
            } else {
                shown.clone()
            },
            why: p.why.to_string(),
        });
        if in_list && p.excluded(b.policy) {
            b.report.left_out.push(LeftOut {
                id: hex(&p.state.id)[..16].to_string(),
                r#type: "person",
                reason: "description left out by the policy ([records] exclude or exclude_types); listed by \
                         name or pseudonym only"
                    .into(),
            });
        }
        if in_list {
            selected.included.push(p.state.id);
            b.report.included.push((hex(&p.state.id)[..16].to_string(), "person"));
            let (date, text, tags) = described.remove(&i).unwrap_or_default();
            listed.push(PersonOut {
                id: hex(&p.state.id)[..16].to_string(),
                label: shown,
                named: p.revealed,
                role: p.latest.role.map(|r| vocab_name(&r)),
                date,
                tags,
                text,
            });
        }
    }
    // Team members who appear in some text: "Team member A", in roster order.
    let mut t = 0;
    for k in 0..team.len() {
        let i = team_base + k;
        if used.contains(&i) {
            let l = format!("Team member {}", letters(t));
            t += 1;
            b.report.persons.push(PersonLine {
                id: "(the team)".into(),
                handle: None,
                role: Some("team".into()),
                named: false,
                shown_as: l.clone(),
                why: "a member of the vault's team: never named".into(),
            });
            labels.insert(i, l);
        }
    }
    let resolve =
        |s: &String| redact::resolve_markers(s, |i| labels.get(&i).cloned().unwrap_or_else(|| SHARED_NAME.into()));
    let res_opt = |s: &Option<String>| s.as_ref().map(resolve);
    let res_vec = |v: &Vec<String>| v.iter().map(resolve).collect::<Vec<_>>();
    for p in &mut listed {
        p.text = res_opt(&p.text);
        p.tags = res_vec(&p.tags);
    }
    for e in &mut selected.events {
        e.persons = res_vec(&e.persons);
        e.place = res_opt(&e.place);
        e.text = res_opt(&e.text);
        e.tags = res_vec(&e.tags);
    }
    for t in &mut selected.testimony {
        t.witness = resolve(&t.witness);
        t.perpetrators = res_vec(&t.perpetrators);
        t.location = res_opt(&t.location);
        t.interviewer = res_opt(&t.interviewer);
        t.language = res_opt(&t.language);
        t.text = res_opt(&t.text);
        t.tags = res_vec(&t.tags);
    }
    for x in &mut selected.notes {
        x.text = resolve(&x.text);
        x.tags = res_vec(&x.tags);
    }
    for d in &mut selected.documents {
        d.name = res_opt(&d.name);
        d.note = res_opt(&d.note);
        d.tags = res_vec(&d.tags);
    }
    selected.case_name = resolve(&selected.case_name);
    selected.title = res_opt(&selected.title);
    selected.events.sort_by_key(|e| date_key(e.date.as_deref()));
    selected.testimony.sort_by_key(|t| date_key(t.date.as_deref()));
    listed
}

/// Sort key: dated records in date order (a partial date before the days in
/// it), undated ones last.
fn date_key(d: Option<&str>) -> (bool, Option<PartialDate>) {
    let p = d.and_then(|d| PartialDate::parse(d).ok());
    (p.is_none(), p)
}
