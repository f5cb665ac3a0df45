/** "Manage signing jobs": the list with ListSigningJobs' filters, paginated by its tokens. */
import DatePicker from '@cloudscape-design/components/date-picker';
import Input from '@cloudscape-design/components/input';
import Link from '@cloudscape-design/components/link';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import {
  ListSigningJobsCommand,
  type SigningJob,
  type SigningStatus,
} from '@aws-sdk/client-signer';
import { useState } from 'react';
import type { Clients } from '../clients.js';
import { ErrorAlert, when } from '../api-error.js';
import { href } from '../route.js';
import { useDebounced, useTokenPages } from '../token-pages.js';
import { listTableProps } from '../list-table.js';

const ANY = { label: 'Any', value: '' };

export function jobStatus(status: string | undefined) {
  const type = status === 'Succeeded' ? 'success' : status === 'Failed' ? 'error' : 'in-progress';
  return <StatusIndicator type={type}>{status ?? '-'}</StatusIndicator>;
}

export function revocation(isRevoked: boolean | undefined) {
  return isRevoked ? (
    <StatusIndicator type="error">Revoked</StatusIndicator>
  ) : (
    <StatusIndicator type="success">Valid</StatusIndicator>
  );
}

/** DatePicker's YYYY-MM-DD as the start of that day in UTC, as the AWS CLI reads a bare date. */
function utcDay(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

export function JobsPage({ clients }: { clients: Clients }) {
  const [status, setStatus] = useState('');
  const [revoked, setRevoked] = useState('');
  const [platformId, setPlatformId] = useState('');
  const [requestedBy, setRequestedBy] = useState('');
  const [jobInvoker, setJobInvoker] = useState('');
  const [expiresAfter, setExpiresAfter] = useState('');
  const [expiresBefore, setExpiresBefore] = useState('');
  const platformFilter = useDebounced(platformId.trim());
  const requestedByFilter = useDebounced(requestedBy.trim());
  const invokerFilter = useDebounced(jobInvoker.trim());
  const pages = useTokenPages<SigningJob>(
    async (nextToken) => {
      const r = await clients.signer.send(
        new ListSigningJobsCommand({
          maxResults: 20,
          nextToken,
          ...(status ? { status: status as SigningStatus } : {}),
          ...(revoked ? { isRevoked: revoked === 'true' } : {}),
          ...(platformFilter ? { platformId: platformFilter } : {}),
          ...(requestedByFilter ? { requestedBy: requestedByFilter } : {}),
          ...(invokerFilter ? { jobInvoker: invokerFilter } : {}),
          ...(expiresAfter ? { signatureExpiresAfter: utcDay(expiresAfter) } : {}),
          ...(expiresBefore ? { signatureExpiresBefore: utcDay(expiresBefore) } : {}),
        }),
      );
      return { items: r.jobs ?? [], nextToken: r.nextToken };
    },
    [
      status,
      revoked,
      platformFilter,
      requestedByFilter,
      invokerFilter,
      expiresAfter,
      expiresBefore,
    ],
  );
  return (
    <SpaceBetween size="m">
      <ErrorAlert error={pages.error} />
      <Table
        data-testid="jobs-table"
        {...listTableProps(pages, {
          title: 'Manage signing jobs',
          noun: 'signing jobs',
          create: { text: 'Start signing jobs', href: href('jobs', 'start') },
        })}
        trackBy="jobId"
        filter={
          <SpaceBetween direction="horizontal" size="s">
            <Select
              ariaLabel="Signing status"
              selectedOption={
                status ? { label: status, value: status } : { label: 'Any status', value: '' }
              }
              options={[
                { ...ANY, label: 'Any status' },
                ...['InProgress', 'Failed', 'Succeeded'].map((s) => ({ label: s, value: s })),
              ]}
              onChange={(e) => setStatus(e.detail.selectedOption.value!)}
            />
            <Select
              ariaLabel="Revocation status"
              data-testid="filter-revocation"
              selectedOption={
                revoked
                  ? { label: revoked === 'true' ? 'Revoked' : 'Not revoked', value: revoked }
                  : { label: 'Any revocation', value: '' }
              }
              options={[
                { label: 'Any revocation', value: '' },
                { label: 'Revoked', value: 'true' },
                { label: 'Not revoked', value: 'false' },
              ]}
              onChange={(e) => setRevoked(e.detail.selectedOption.value!)}
            />
            <Input
              ariaLabel="Platform ID"
              placeholder="Platform ID"
              value={platformId}
              onChange={(e) => setPlatformId(e.detail.value)}
            />
            <Input
              ariaLabel="Requested by"
              placeholder="Requested by (ARN)"
              value={requestedBy}
              onChange={(e) => setRequestedBy(e.detail.value)}
            />
            <Input
              ariaLabel="Job invoker"
              placeholder="Job invoker (account ID)"
              value={jobInvoker}
              onChange={(e) => setJobInvoker(e.detail.value)}
            />
            <DatePicker
              ariaLabel="Signature expires after"
              placeholder="Expires after YYYY/MM/DD"
              value={expiresAfter}
              onChange={(e) => setExpiresAfter(e.detail.value)}
            />
            <DatePicker
              ariaLabel="Signature expires before"
              placeholder="Expires before YYYY/MM/DD"
              value={expiresBefore}
              onChange={(e) => setExpiresBefore(e.detail.value)}
            />
          </SpaceBetween>
        }
        columnDefinitions={[
          {
            id: 'id',
            header: 'Job ID',
            cell: (j) => <Link href={href('jobs', j.jobId ?? '')}>{j.jobId}</Link>,
          },
          { id: 'profile', header: 'Profile name', cell: (j) => j.profileName },
          { id: 'status', header: 'Signing status', cell: (j) => jobStatus(j.status) },
          { id: 'revoked', header: 'Revocation status', cell: (j) => revocation(j.isRevoked) },
          { id: 'created', header: 'Created', cell: (j) => when(j.createdAt) },
        ]}
      />
    </SpaceBetween>
  );
}
