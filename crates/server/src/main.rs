//! `yiwantang-server`: reads its configuration from flags and environment and serves, or
//! takes a backup (`backup FILE`), restores one (`restore FILE`) or starts a real township
//! (`new-township --id ID --name NAME`), or rotates the key that signs market passes
//! (`rotate-pass-key [--retire-old]`).

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("YWT_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .init();
    let config = server::Config::parse();
    match config.command.clone() {
        Some(server::Command::Backup { file }) => server::backup(&config, &file).await,
        Some(server::Command::Restore { file }) => server::restore(&config, &file).await,
        Some(server::Command::NewTownship { id, name }) => {
            server::new_township(&config, &id, &name).await
        }
        Some(server::Command::RotatePassKey { retire_old }) => {
            server::rotate_pass_key(&config, retire_old).await
        }
        Some(server::Command::Serve) | None => server::serve(config).await,
    }
}
