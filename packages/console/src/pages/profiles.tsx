/** Signing profiles: the list, filtered by status (canceled ones only on request). */
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import Multiselect from '@cloudscape-design/components/multiselect';
import Pagination from '@cloudscape-design/components/pagination';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import Toggle from '@cloudscape-design/components/toggle';
import Box from '@cloudscape-design/components/box';
import { ListSigningProfilesCommand, type SigningProfile } from '@aws-sdk/client-signer';
import { useState } from 'react';
import type { Clients } from '../clients.js';
import { ErrorAlert } from '../api-error.js';
import { href } from '../route.js';
import { useTokenPages } from '../token-pages.js';

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
        variant="full-page"
        loading={pages.loading}
        loadingText="Loading signing profiles"
        items={pages.items}
        trackBy="profileName"
        wrapLines={false}
        resizableColumns
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={
              pages.loading ? undefined : `(${pages.items.length}${pages.openEnd ? '+' : ''})`
            }
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button iconName="refresh" ariaLabel="Refresh" onClick={pages.reload} />
                <Button variant="primary" href={href('profiles', 'create')}>
                  Create signing profile
                </Button>
              </SpaceBetween>
            }
          >
            Signing profiles
          </Header>
        }
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
        pagination={
          <Pagination
            currentPageIndex={pages.pageIndex + 1}
            pagesCount={pages.pagesCount}
            openEnd={pages.openEnd}
            onChange={(e) => pages.goTo(e.detail.currentPageIndex - 1)}
          />
        }
        empty={
          <Box textAlign="center" color="inherit">
            <b>No signing profiles</b>
          </Box>
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
