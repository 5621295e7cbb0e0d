//! A harmless application that depends on an innocent-looking utility crate.

fn main() {
    let host = rust_utilities::host_of("https://example.test/path?q=1").unwrap_or("?");
    println!("host: {host}");
    println!("slug: {}", rust_utilities::slugify("Hello, Telltale Drill"));
}
