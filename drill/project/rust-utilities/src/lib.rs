//! Small string and URL helpers. Innocent itself; it pulls in the typosquat `url-parsr`.

/// Returns the host part of a URL, if any.
pub fn host_of(url: &str) -> Option<&str> {
    url_parsr::parse(url).map(|u| u.host)
}

/// Lowercases and joins alphanumeric words with `-`.
pub fn slugify(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("-")
}
