//! `farepoint-sandbox --port N`: the provider simulator on its own, for training and for other
//! tools to test against. Ctrl-C stops it.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use farepoint_sandbox::{paths, Sandbox, SandboxConfig};

const USAGE: &str = "usage: farepoint-sandbox [--port N] [--ticketing-delay-ms N] [--no-demo-data]

  --port N                listen on 127.0.0.1:N (default 7480; 0 picks a free port)
  --ticketing-delay-ms N  ATRIP time from pay.do to ticketing (default 4000)
  --no-demo-data          start empty (seed through the control API)
  RUST_LOG                log filter (default info)";

fn parse_args(args: &[String]) -> Result<SandboxConfig, String> {
    let mut config = SandboxConfig { port: 7480, ..SandboxConfig::default() };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            let value = it.next().ok_or_else(|| format!("{name} needs a value"))?;
            value.parse().map_err(|_| format!("{name}: '{value}' is not a number"))
        };
        match arg.as_str() {
            "--port" => {
                config.port =
                    u16::try_from(number("--port")?).map_err(|_| "--port must be 0 to 65535".to_string())?
            }
            "--ticketing-delay-ms" => {
                config.ticketing_delay = Duration::from_millis(number("--ticketing-delay-ms")?)
            }
            "--no-demo-data" => config.seed_demo_data = false,
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok(config)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let config = match parse_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("could not start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let sandbox = match Sandbox::start_on(runtime.handle(), config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let base = sandbox.base_url();
    let mut banner = format!("farepoint sandbox on {base}\n");
    for (name, path) in [
        ("ATRIP", paths::ATRIP),
        ("Travelport air", paths::TRAVELPORT_AIR),
        ("Travelport OAuth token", paths::TRAVELPORT_OAUTH_TOKEN),
        ("Holiday Extras", paths::HOLIDAYEXTRAS),
        ("HeiPay", paths::HEIPAY),
        ("control API", paths::CONTROL),
    ] {
        banner.push_str(&format!("  {name:<24} {base}{path}\n"));
    }
    banner
        .push_str(&format!("demo credentials and data: GET {base}{}demo — Ctrl-C to stop\n", paths::CONTROL));
    // A closed stdout (piped into `head`, a test that read one line) must not stop the server.
    let mut out = std::io::stdout();
    let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    runtime.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
        sandbox.shutdown_async().await;
    });
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn arguments_are_read() {
        let c =
            parse_args(&args(&["--port", "9000", "--ticketing-delay-ms", "0", "--no-demo-data"])).unwrap();
        assert_eq!((c.port, c.ticketing_delay, c.seed_demo_data), (9000, Duration::ZERO, false));
        assert_eq!(parse_args(&[]).unwrap().port, 7480);
        assert!(parse_args(&args(&["--port", "70000"])).is_err());
        assert!(parse_args(&args(&["--port"])).is_err());
        assert!(parse_args(&args(&["--bogus"])).is_err());
    }
}
