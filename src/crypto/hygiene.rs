//! Keeping the process's memory, which holds keys and plaintext, to itself.

/// Makes the process leave no core file and refuse to be dumped or traced by
/// other processes of the same user (`RLIMIT_CORE` 0 and `PR_SET_DUMPABLE` 0),
/// so a crash or a curious program does not put decrypted testimony or key
/// material on disk. Linux only; elsewhere it does nothing.
pub fn harden() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{set_dumpable_behavior, setrlimit, DumpableBehavior, Resource, Rlimit};
        setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        )?;
        set_dumpable_behavior(DumpableBehavior::NotDumpable)?;
    }
    Ok(())
}
