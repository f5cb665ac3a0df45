/** Signing platforms, each with every field GetSigningPlatform answers. */
import Cards from '@cloudscape-design/components/cards';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { GetSigningPlatformCommand, ListSigningPlatformsCommand } from '@aws-sdk/client-signer';
import type { Clients } from '../clients.js';
import { ErrorAlert, useLoad } from '../api-error.js';

export function PlatformsPage({ clients }: { clients: Clients }) {
  const platforms = useLoad(async () => {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const r = await clients.signer.send(new ListSigningPlatformsCommand({ nextToken }));
      ids.push(...(r.platforms ?? []).map((p) => p.platformId!));
      nextToken = r.nextToken;
    } while (nextToken);
    return Promise.all(
      ids.map((platformId) => clients.signer.send(new GetSigningPlatformCommand({ platformId }))),
    );
  }, []);
  const list = (v: string[] | undefined): string => (v && v.length > 0 ? v.join(', ') : '-');
  return (
    <SpaceBetween size="m">
      <ErrorAlert error={platforms.error} />
      <Cards
        data-testid="platforms"
        loading={platforms.loading}
        loadingText="Loading signing platforms"
        items={platforms.data ?? []}
        trackBy="platformId"
        variant="full-page"
        cardsPerRow={[{ cards: 1 }, { minWidth: 600, cards: 2 }, { minWidth: 900, cards: 3 }]}
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={platforms.data ? `(${platforms.data.length})` : undefined}
          >
            Signing platforms
          </Header>
        }
        cardDefinition={{
          header: (p) => p.displayName,
          sections: [
            { id: 'platformId', header: 'Platform ID', content: (p) => p.platformId },
            { id: 'partner', header: 'Partner', content: (p) => p.partner ?? '-' },
            { id: 'target', header: 'Target', content: (p) => p.target ?? '-' },
            { id: 'category', header: 'Category', content: (p) => p.category ?? '-' },
            {
              id: 'encryption',
              header: 'Encryption algorithms (default)',
              content: (p) =>
                `${list(p.signingConfiguration?.encryptionAlgorithmOptions?.allowedValues)} (${p.signingConfiguration?.encryptionAlgorithmOptions?.defaultValue ?? '-'})`,
            },
            {
              id: 'hash',
              header: 'Hash algorithms (default)',
              content: (p) =>
                `${list(p.signingConfiguration?.hashAlgorithmOptions?.allowedValues)} (${p.signingConfiguration?.hashAlgorithmOptions?.defaultValue ?? '-'})`,
            },
            {
              id: 'format',
              header: 'Image formats (default)',
              content: (p) =>
                `${list(p.signingImageFormat?.supportedFormats)} (${p.signingImageFormat?.defaultFormat ?? '-'})`,
            },
            {
              id: 'maxSize',
              header: 'Maximum size',
              content: (p) => (p.maxSizeInMB !== undefined ? `${p.maxSizeInMB} MB` : '-'),
            },
            {
              id: 'revocation',
              header: 'Revocation supported',
              content: (p) => (
                <StatusIndicator type={p.revocationSupported ? 'success' : 'stopped'}>
                  {p.revocationSupported ? 'Yes' : 'No'}
                </StatusIndicator>
              ),
            },
          ],
        }}
      />
    </SpaceBetween>
  );
}
