//! `dossier member`: who is in the vault, and with which keys.

use dossier::crypto::keys::signing_key_to_string;
use dossier::format::entry::Role;
use dossier::vault::access::{signing_key_of, Rotated};
use dossier::Result;

use super::{output, progress::Bar, Ctx};

/// Add, remove, rekey and list the vault's members
#[derive(clap::Subcommand)]
pub enum Command {
    /// Add a member to the vault (owners only); they see no case until granted one
    #[command(after_help = "Examples:
  dossier member add bob --recipient age1... --signing-key dossiersig1...
  dossier member add carol --recipient \"ssh-ed25519 AAAA...\"    # an SSH Ed25519 key signs as itself

The new member prints both keys with `dossier whoami` and sends them to you.")]
    Add {
        /// The member's name: letters, digits, '-', '_', '.'
        name: String,
        /// Their age recipient (age1...), SSH public key, or plugin recipient (age1yubikey1...)
        #[arg(long)]
        recipient: String,
        /// Their signing key (dossiersig1...); not needed for an ssh-ed25519 recipient
        #[arg(long)]
        signing_key: Option<String>,
        /// Make them an owner, who may add, remove and rekey members
        #[arg(long)]
        owner: bool,
    },
    /// Remove a member: revoked from every case you can read, which are then rotated
    #[command(after_help = "Example:
  dossier member remove bob

Every case you share with bob, and the roster, is sealed anew so that bob's key
opens none of their files. Cases you cannot read are left to their members:
`dossier case list` shows them a rotation is pending.")]
    Remove {
        /// The member to remove
        name: String,
    },
    /// Replace a member's keys (a lost or seized laptop), then rotate
    #[command(after_help = "Examples:
  dossier member rekey alice --recipient age1new... --signing-key dossiersig1new...

Run by another owner, everything that owner can read is rotated at once and the
old key opens none of it. Run by alice herself with her old key, every file is
first sealed to the new key too; she then runs
  dossier --identity new.key rotate --all
to shut the old key out.")]
    Rekey {
        /// The member whose keys change
        name: String,
        /// The new age recipient or SSH public key
        #[arg(long)]
        recipient: String,
        /// The new signing key (dossiersig1...); not needed for an ssh-ed25519 recipient
        #[arg(long)]
        signing_key: Option<String>,
    },
    /// List the vault's members: name, role, signing key, recipient
    #[command(after_help = "Examples:
  dossier member list
  dossier member list --json     # one object a line: name, role, recipient, signing_key")]
    List,
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<i32> {
    match cmd {
        Command::Add {
            name,
            recipient,
            signing_key,
            owner,
        } => {
            let key = signing_key_of(&recipient, signing_key.as_deref())?;
            let mut vault = ctx.open(true)?;
            let role = if owner { Role::Owner } else { Role::Member };
            vault.add_member(&name, &recipient, key, role)?;
            if ctx.json {
                output::json(&serde_json::json!({"added": name, "role": role.name()}));
            } else {
                eprintln!(
                    "added {name} as {}; grant them cases with `dossier case grant CASE {name}`",
                    role.name()
                );
            }
        }
        Command::Remove { name } => {
            let mut vault = ctx.open(true)?;
            let report = vault.remove_member(&name, &mut Bar::new("rotating"))?;
            done(ctx, &format!("removed {name}"), &report);
            if !ctx.json {
                eprintln!(
                    "cases you are not a member of were not rotated: ask every case's members to run \
                     `dossier case list` and rotate where it says \"rotation pending\""
                );
            }
        }
        Command::Rekey {
            name,
            recipient,
            signing_key,
        } => {
            let key = signing_key_of(&recipient, signing_key.as_deref())?;
            let mut vault = ctx.open(true)?;
            let myself = vault.me().name == name;
            let report = vault.rekey_member(&name, &recipient, key, &mut Bar::new("sealing to the new key"))?;
            if myself {
                if ctx.json {
                    output::json(
                        &serde_json::json!({"rekeyed": name, "files": report.files, "rotation_pending": true}),
                    );
                }
                eprintln!(
                    "rekeyed {name}; this old key can no longer be used. Finish now with your new identity:\n  \
                     dossier --identity NEW-KEY-FILE rotate --all\nuntil then the old key still opens the vault's files"
                );
            } else {
                done(ctx, &format!("rekeyed {name}"), &report);
            }
        }
        Command::List => {
            let vault = ctx.open(false)?;
            for m in &vault.roster().members {
                let key = signing_key_to_string(&m.signing_key.into_array());
                if ctx.json {
                    output::json(&serde_json::json!({
                        "name": m.name, "role": m.role.name(), "recipient": m.recipient, "signing_key": key,
                    }));
                } else {
                    output::line(&format!("{:<16} {:<7} {}  {}", m.name, m.role.name(), key, m.recipient));
                }
            }
        }
    }
    Ok(0)
}

/// Reports a membership change and the rotation that followed it.
pub fn done(ctx: &Ctx, what: &str, report: &Rotated) {
    if ctx.json {
        output::json(&serde_json::json!({
            "done": what, "rotated": report.logs, "files": report.files, "not_rotated": report.skipped,
            "damaged": report.damaged,
        }));
        return;
    }
    eprintln!(
        "{what}; sealed {} files of {} anew",
        report.files,
        output::safe_line(&report.logs.join(", "))
    );
    for d in &report.damaged {
        let d = output::safe_line(d);
        eprintln!("not rotated: case '{d}' fails its checks; run `dossier verify` and look at it now");
    }
    for s in &report.skipped {
        let s = output::safe_line(s);
        eprintln!(
            "not rotated: case '{s}': you are no longer a member; one of its members must run `dossier rotate {s}`"
        );
    }
}
