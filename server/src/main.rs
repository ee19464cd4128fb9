use server::{configuration::Settings, startup::Application, telemetry};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("generate-region") {
        return server::region_cli::run(&args[1..]).await;
    }
    let settings = Settings::from_env_and_args(args)?;
    let app = Application::build(settings).await?;
    tracing::info!("Tabel listens on http://{}", app.address());
    app.run_until_stopped().await?;
    Ok(())
}
