#[tokio::main]
async fn main() -> std::process::ExitCode {
    server::telemetry::init();
    match server::cli::run(std::env::args().skip(1).collect()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("tabel: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
