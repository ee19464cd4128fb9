use server::{configuration::Settings, startup::Application, telemetry};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    telemetry::init();
    let settings = Settings::from_env_and_args(std::env::args().skip(1))?;
    let app = Application::build(settings).await?;
    tracing::info!("Tabel listens on http://{}", app.address());
    app.run_until_stopped().await?;
    Ok(())
}
