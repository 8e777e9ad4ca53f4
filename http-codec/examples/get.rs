//! Fetches a URL and prints the status line, the headers and the body.
//!
//! ```text
//! cargo run -p http-codec --features tokio --example get -- http://127.0.0.1:8080/
//! ```

use std::io::Write;

use http_codec::client::get;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let Some(url) = std::env::args().nth(1) else {
        eprintln!("usage: get http://host[:port]/path");
        std::process::exit(2);
    };
    let response = match get(&url).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("get {url}: {e}");
            std::process::exit(1);
        }
    };
    let head = &response.head;
    println!(
        "{} {} {}",
        head.version(),
        head.status(),
        String::from_utf8_lossy(head.reason())
    );
    for h in head.headers() {
        println!("{}: {}", h.name, String::from_utf8_lossy(h.value));
    }
    println!();
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&response.body);
    let _ = out.flush();
}
