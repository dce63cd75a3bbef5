//! The values of the command line: durations, sizes, `--linger`, and the tips for nc's
//! habits in clap's errors.

use std::time::Duration;

// The one import that runs up the layers (DESIGN.md): `--linger` parses straight into the
// type the WebSocket and UDP sides use, so that clap refuses a bad value (and durations share
// its cap).
pub use crate::net::{LONGEST, Linger};

/// `--linger`: a duration, `0` or `forever`.
pub fn parse_linger(s: &str) -> Result<Linger, String> {
    Linger::parse(s)
}

/// The short options of nc and ncat that wsctl spells otherwise, and what to write instead.
const NC_HABITS: &[(&str, &str)] = &[
    (
        "-l",
        "to listen, use the listen subcommand, which needs no -l: wsctl tcp listen [HOST] PORT (or ws listen, udp listen)",
    ),
    (
        "-u",
        "for UDP, use the subcommand: wsctl udp send HOST PORT, or wsctl udp listen [HOST] PORT",
    ),
    (
        "-w",
        "for nc's -w, use --connect-timeout SECS (connecting) or --idle-timeout SECS (no data)",
    ),
    (
        "-N",
        "not needed: at the end of stdin wsctl half-closes the connection already",
    ),
    (
        "-U",
        "for a Unix socket, use the subcommand: wsctl unix connect PATH",
    ),
    (
        "-p",
        "a listener's port is its PORT argument (wsctl tcp listen PORT); a client's own port is --source-port PORT",
    ),
    (
        "-n",
        "not needed: an address given as digits is used as it is, with no name lookup",
    ),
    (
        "-4",
        "to use IPv4, give an IPv4 address (127.0.0.1, 0.0.0.0 to listen on all of them)",
    ),
    (
        "-6",
        "to use IPv6, give an IPv6 address ([::1], [::] to listen on all of them)",
    ),
];

/// clap's error for the command line, with a tip that names the wsctl way for the short
/// options nc and ncat users type (`-l`, `-u`, `-w`, `-N`, `-U`), where clap would suggest
/// "to pass '-w' as a value, use '-- -w'".
pub fn with_habits(mut err: clap::Error) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() != ErrorKind::UnknownArgument {
        return err;
    }
    let Some(ContextValue::String(arg)) = err.get(ContextKind::InvalidArg) else {
        return err;
    };
    let Some((_, tip)) = NC_HABITS.iter().find(|(flag, _)| arg == flag) else {
        return err;
    };
    err.insert(
        ContextKind::Suggested,
        ContextValue::StyledStrs(vec![(*tip).into()]),
    );
    err
}

/// Humane durations: `500ms`, `10s`, `2m`, `1h 30m`, or a bare number of seconds (`2`,
/// `0.5`), as nc's `-w` and ncat's `--wait` take them; past [`LONGEST`] counts as [`LONGEST`].
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let plain = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.bytes().filter(|b| *b == b'.').count() <= 1
        && s != ".";
    if plain {
        let secs: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
        return Ok(Duration::try_from_secs_f64(secs).map_or(LONGEST, |d| d.min(LONGEST)));
    }
    humantime::parse_duration(s)
        .map(|d| d.min(LONGEST))
        .map_err(|e| format!("{e} (write durations like 500ms, 10s, 2m, or 2 for seconds)"))
}

/// A limit in time, as [`parse_duration`], where 0 means none (as `--idle-timeout 0` does):
/// `--connect-timeout 0` waits as long as it takes.
pub fn parse_limit(s: &str) -> Result<Duration, String> {
    let limit = parse_duration(s)?;
    Ok(if limit.is_zero() { LONGEST } else { limit })
}

/// A size in bytes: a number, or a number and a unit: `K`, `M`, `G` or `KiB`, `MiB`, `GiB`
/// (powers of 1024, as curl's rates), `KB`, `MB`, `GB` (powers of 1000), `B` (bytes); the
/// unit's case does not matter. `1M` is 1,048,576 bytes.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let text = s.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let help = "write a size such as 65536, 64K, 1M or 1GiB (K, M, G: powers of 1024; KB, MB, \
                GB: of 1000)";
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a size: {help}"))?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => return Err(format!("`{s}`: unknown unit `{}`: {help}", unit.trim())),
    };
    number
        .checked_mul(scale)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| format!("`{s}` is more bytes than this machine can count"))
}

/// A duration that must not be zero (`--ping-interval`: a ping every 0 s is no interval).
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        Duration::ZERO => Err("must be longer than 0 (write e.g. 500ms or 10s)".into()),
        d => Ok(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_units() {
        assert_eq!(parse_size("65536"), Ok(65536));
        assert_eq!(parse_size("1M"), Ok(1 << 20));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1MB"), Ok(1_000_000));
        assert_eq!(parse_size("3 KB"), Ok(3_000));
        assert_eq!(parse_size("10B"), Ok(10));
        assert!(parse_size("1T").unwrap_err().contains("unknown unit `T`"));
        assert!(parse_size("M").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }

    #[test]
    fn a_bare_number_is_seconds() {
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(
            parse_duration("1e3").is_err(),
            "a bare number is digits and one dot"
        );
        assert!(parse_duration(".").is_err());
        assert!(parse_duration("1.2.3").is_err());
        assert_eq!(parse_duration("99999999999999999999999"), Ok(LONGEST));
        assert_eq!(parse_limit("0"), Ok(LONGEST));
        assert_eq!(parse_limit("0s"), Ok(LONGEST));
        assert_eq!(parse_limit("2"), Ok(Duration::from_secs(2)));
    }

    #[test]
    fn durations_are_humane() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("soon").is_err());
        // Found by trying: these panicked once they met a clock.
        assert_eq!(parse_duration("18446744073709551615s"), Ok(LONGEST));
        assert!(parse_interval("0").is_err());
        assert_eq!(parse_interval("1s"), Ok(Duration::from_secs(1)));
    }
}
