//! Small string and URL helpers. Innocent itself; it pulls in the typosquat `url-parsr`.

/// Returns the host part of a URL, if any.
#[cfg(feature = "url")]
pub fn host_of(url: &str) -> Option<&str> {
    url_parsr::parse(url).map(|u| u.host)
}

/// Returns the host part of a URL, if any (the release before the hijack: no dependency).
#[cfg(not(feature = "url"))]
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?.rsplit('@').next()?;
    let host = host.split(':').next()?;
    (!host.is_empty()).then_some(host)
}

/// Lowercases and joins alphanumeric words with `-`.
pub fn slugify(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("-")
}
