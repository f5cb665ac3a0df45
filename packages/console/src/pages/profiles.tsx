/** Signing profiles: the list, filtered by status (canceled ones only on request). */
import Link from '@cloudscape-design/components/link';
import Multiselect from '@cloudscape-design/components/multiselect';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import Toggle from '@cloudscape-design/components/toggle';
import { ListSigningProfilesCommand, type SigningProfile } from '@aws-sdk/client-signer';
import { useState } from 'react';
import type { Clients } from '../clients.js';
import { ErrorAlert } from '../api-error.js';
import { href } from '../route.js';
import { useTokenPages } from '../token-pages.js';
import { listTableProps } from '../list-table.js';

const STATUSES = ['Active', 'Canceled', 'Revoked'] as const;

export function profileStatus(status: string | undefined) {
  const type = status === 'Active' ? 'success' : status === 'Revoked' ? 'error' : 'stopped';
  return <StatusIndicator type={type}>{status ?? '-'}</StatusIndicator>;
}

export function ProfilesPage({ clients }: { clients: Clients }) {
  const [statuses, setStatuses] = useState<string[]>([]);
  const [includeCanceled, setIncludeCanceled] = useState(false);
  const pages = useTokenPages<SigningProfile>(
    async (nextToken) => {
      const r = await clients.signer.send(
        new ListSigningProfilesCommand({
          maxResults: 20,
          nextToken,
          includeCanceled: includeCanceled || statuses.includes('Canceled'),
          ...(statuses.length > 0
            ? { statuses: statuses as Array<(typeof STATUSES)[number]> }
            : {}),
        }),
      );
      return { items: r.profiles ?? [], nextToken: r.nextToken };
    },
    [statuses.join(','), includeCanceled],
  );
  return (
    <SpaceBetween size="m">
      <ErrorAlert error={pages.error} />
      <Table
        data-testid="profiles-table"
        {...listTableProps(pages, {
          title: 'Signing profiles',
          noun: 'signing profiles',
          create: { text: 'Create signing profile', href: href('profiles', 'create') },
        })}
        trackBy="profileName"
        wrapLines={false}
        resizableColumns
        filter={
          <SpaceBetween direction="horizontal" size="l" alignItems="center">
            <div style={{ minWidth: 320 }}>
              <Multiselect
                placeholder="Filter by status"
                selectedOptions={statuses.map((s) => ({ label: s, value: s }))}
                options={STATUSES.map((s) => ({ label: s, value: s }))}
                onChange={(e) => setStatuses(e.detail.selectedOptions.map((o) => o.value!))}
              />
            </div>
            <Toggle
              checked={includeCanceled}
              onChange={(e) => setIncludeCanceled(e.detail.checked)}
            >
              Show canceled profiles
            </Toggle>
          </SpaceBetween>
        }
        columnDefinitions={[
          {
            id: 'name',
            header: 'Profile name',
            cell: (p) => <Link href={href('profiles', p.profileName ?? '')}>{p.profileName}</Link>,
            width: 240,
          },
          { id: 'status', header: 'Status', cell: (p) => profileStatus(p.status), width: 100 },
          {
            id: 'platform',
            header: 'Signing platform',
            width: 280,
            cell: (p) => p.platformDisplayName ?? p.platformId,
          },
          { id: 'version', header: 'Version', width: 130, cell: (p) => p.profileVersion },
          {
            id: 'validity',
            header: 'Validity',
            width: 130,
            cell: (p) =>
              p.signatureValidityPeriod
                ? `${p.signatureValidityPeriod.value} ${p.signatureValidityPeriod.type}`
                : '-',
          },
          { id: 'tags', header: 'Tags', cell: (p) => Object.keys(p.tags ?? {}).length, width: 80 },
        ]}
      />
    </SpaceBetween>
  );
}
