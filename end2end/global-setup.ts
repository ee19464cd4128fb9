// Starts the OpenID Connect provider the app under test was configured with
// (TABEL_OIDC_PORT), plus its control endpoint, for the whole run.
export default async function globalSetup() {
  const port = Number(process.env.TABEL_OIDC_PORT);
  const controlPort = Number(process.env.TABEL_OIDC_CONTROL_PORT);
  if (!port || !controlPort) {
    throw new Error('TABEL_OIDC_PORT and TABEL_OIDC_CONTROL_PORT must be set (scripts/test-all.sh sets them)');
  }
  const { startProvider } = await import('./oidc-provider.mjs');
  const provider = await startProvider(port, controlPort);
  return async () => provider.stop();
}
