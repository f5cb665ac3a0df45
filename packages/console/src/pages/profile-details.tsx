/** One signing profile: its version, parameters, tags, permissions and revocation; cancel and revoke. */
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import Table from '@cloudscape-design/components/table';
import Box from '@cloudscape-design/components/box';
import {
  AddProfilePermissionCommand,
  CancelSigningProfileCommand,
  GetSigningProfileCommand,
  ListProfilePermissionsCommand,
  RemoveProfilePermissionCommand,
  RevokeSigningProfileCommand,
  type Permission,
} from '@aws-sdk/client-signer';
import { useState } from 'react';
import type { Clients } from '../clients.js';
import { ErrorAlert, useLoad, when } from '../api-error.js';
import { Confirm } from '../confirm.js';
import { href } from '../route.js';
import { profileStatus } from './profiles.js';

const ACTIONS = [
  'signer:StartSigningJob',
  'signer:GetSigningProfile',
  'signer:RevokeSignature',
  'signer:SignPayload',
];

export function ProfileDetailsPage({ clients, name }: { clients: Clients; name: string }) {
  const profile = useLoad(
    () => clients.signer.send(new GetSigningProfileCommand({ profileName: name })),
    [name],
  );
  const permissions = useLoad(
    () => clients.signer.send(new ListProfilePermissionsCommand({ profileName: name })),
    [name],
  );
  const [dialog, setDialog] = useState<'cancel' | 'revoke' | 'add' | 'remove'>();
  const [selected, setSelected] = useState<Permission[]>([]);
  const [principal, setPrincipal] = useState('');
  const [action, setAction] = useState(ACTIONS[0]!);
  const [statementId, setStatementId] = useState('');
  const [reason, setReason] = useState('');
  const [effective, setEffective] = useState(() => new Date().toISOString());
  const p = profile.data;
  const reloadAll = (): void => {
    profile.reload();
    permissions.reload();
  };
  const tags = Object.entries(p?.tags ?? {});
  const params = Object.entries(p?.signingParameters ?? {});

  return (
    <SpaceBetween size="l">
      <BreadcrumbGroup
        items={[
          { text: 'Signing profiles', href: href('profiles') },
          { text: name, href: href('profiles', name) },
        ]}
      />
      <Header
        variant="h1"
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button iconName="refresh" ariaLabel="Refresh" onClick={reloadAll} />
            <Button disabled={p?.status !== 'Active'} onClick={() => setDialog('revoke')}>
              Revoke
            </Button>
            <Button disabled={p?.status !== 'Active'} onClick={() => setDialog('cancel')}>
              Cancel profile
            </Button>
          </SpaceBetween>
        }
      >
        <span className="fwsign-break">{name}</span>
      </Header>
      <ErrorAlert error={profile.error} />
      {profile.loading && !p ? (
        <Spinner size="large" />
      ) : p ? (
        <>
          <Container header={<Header variant="h2">Details</Header>}>
            <KeyValuePairs
              columns={3}
              items={[
                {
                  label: 'Status',
                  value: <span data-testid="profile-status">{profileStatus(p.status)}</span>,
                },
                { label: 'Signing platform', value: p.platformDisplayName ?? p.platformId },
                { label: 'Platform ID', value: p.platformId },
                { label: 'Profile version', value: p.profileVersion },
                {
                  label: 'Profile version ARN',
                  value: <span className="fwsign-break">{p.profileVersionArn}</span>,
                },
                { label: 'ARN', value: <span className="fwsign-break">{p.arn}</span> },
                {
                  label: 'Signature validity period',
                  value: p.signatureValidityPeriod
                    ? `${p.signatureValidityPeriod.value} ${p.signatureValidityPeriod.type}`
                    : '-',
                },
                {
                  label: 'Certificate',
                  value: (
                    <span className="fwsign-break">{p.signingMaterial?.certificateArn ?? '-'}</span>
                  ),
                },
                { label: 'Status reason', value: p.statusReason ?? '-' },
              ]}
            />
          </Container>
          <Container header={<Header variant="h2">Revocation</Header>}>
            {p.revocationRecord ? (
              <KeyValuePairs
                columns={3}
                items={[
                  {
                    label: 'Effective from',
                    value: when(p.revocationRecord.revocationEffectiveFrom),
                  },
                  { label: 'Revoked at', value: when(p.revocationRecord.revokedAt) },
                  { label: 'Revoked by', value: p.revocationRecord.revokedBy ?? '-' },
                ]}
              />
            ) : (
              <Box color="text-status-inactive">Not revoked.</Box>
            )}
          </Container>
          <Table
            header={
              <Header variant="h2" counter={`(${params.length})`}>
                Signing parameters
              </Header>
            }
            items={params}
            empty="No signing parameters"
            columnDefinitions={[
              { id: 'k', header: 'Name', cell: ([k]) => <span className="fwsign-break">{k}</span> },
              {
                id: 'v',
                header: 'Value',
                cell: ([, v]) => <span className="fwsign-break">{v}</span>,
              },
            ]}
          />
          <Table
            data-testid="tags-table"
            header={
              <Header variant="h2" counter={`(${tags.length})`}>
                Tags
              </Header>
            }
            items={tags}
            wrapLines
            empty="No tags"
            columnDefinitions={[
              { id: 'k', header: 'Key', cell: ([k]) => <span className="fwsign-break">{k}</span> },
              {
                id: 'v',
                header: 'Value',
                cell: ([, v]) => <span className="fwsign-break">{v}</span>,
              },
            ]}
          />
        </>
      ) : null}
      <ErrorAlert error={permissions.error} />
      <Table
        data-testid="permissions-table"
        loading={permissions.loading}
        loadingText="Loading permissions"
        selectionType="single"
        selectedItems={selected}
        onSelectionChange={(e) => setSelected(e.detail.selectedItems)}
        trackBy="statementId"
        ariaLabels={{
          selectionGroupLabel: 'Permissions',
          itemSelectionLabel: (_, x) => x.statementId ?? '',
          allItemsSelectionLabel: () => 'All permissions',
        }}
        items={permissions.data?.permissions ?? []}
        empty="No cross-account permissions"
        header={
          <Header
            variant="h2"
            counter={`(${permissions.data?.permissions?.length ?? 0})`}
            description={
              permissions.data?.revisionId
                ? `Policy revision ${permissions.data.revisionId}`
                : undefined
            }
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button disabled={selected.length === 0} onClick={() => setDialog('remove')}>
                  Remove
                </Button>
                <Button onClick={() => setDialog('add')}>Add permission</Button>
              </SpaceBetween>
            }
          >
            Cross-account permissions
          </Header>
        }
        columnDefinitions={[
          { id: 'sid', header: 'Statement ID', cell: (x) => x.statementId },
          { id: 'principal', header: 'Principal', cell: (x) => x.principal },
          { id: 'action', header: 'Action', cell: (x) => x.action },
          { id: 'version', header: 'Profile version', cell: (x) => x.profileVersion ?? 'All' },
        ]}
      />

      <Confirm
        visible={dialog === 'add'}
        header="Add cross-account permission"
        confirmText="Add permission"
        disabled={principal.trim() === '' || statementId.trim() === ''}
        onDismiss={() => setDialog(undefined)}
        onConfirm={async () => {
          await clients.signer.send(
            new AddProfilePermissionCommand({
              profileName: name,
              principal: principal.trim(),
              action,
              statementId: statementId.trim(),
              ...(permissions.data?.revisionId ? { revisionId: permissions.data.revisionId } : {}),
            }),
          );
          setPrincipal('');
          setStatementId('');
          permissions.reload();
        }}
      >
        <FormField label="Principal" description="The AWS account ID (12 digits) to allow.">
          <Input
            controlId="perm-principal"
            value={principal}
            onChange={(e) => setPrincipal(e.detail.value)}
          />
        </FormField>
        <FormField label="Action">
          <Select
            selectedOption={{ label: action, value: action }}
            options={ACTIONS.map((a) => ({ label: a, value: a }))}
            onChange={(e) => setAction(e.detail.selectedOption.value!)}
          />
        </FormField>
        <FormField label="Statement ID">
          <Input
            controlId="perm-sid"
            value={statementId}
            onChange={(e) => setStatementId(e.detail.value)}
          />
        </FormField>
      </Confirm>

      <Confirm
        visible={dialog === 'remove'}
        header="Remove permission"
        confirmText="Remove"
        onDismiss={() => setDialog(undefined)}
        onConfirm={async () => {
          await clients.signer.send(
            new RemoveProfilePermissionCommand({
              profileName: name,
              statementId: selected[0]!.statementId,
              revisionId: permissions.data?.revisionId,
            }),
          );
          setSelected([]);
          permissions.reload();
        }}
      >
        Remove statement <b>{selected[0]?.statementId}</b> ({selected[0]?.action} for{' '}
        {selected[0]?.principal})?
      </Confirm>

      <Confirm
        visible={dialog === 'cancel'}
        header="Cancel signing profile"
        confirmText="Cancel profile"
        onDismiss={() => setDialog(undefined)}
        onConfirm={async () => {
          await clients.signer.send(new CancelSigningProfileCommand({ profileName: name }));
          reloadAll();
        }}
      >
        Cancel <b className="fwsign-break">{name}</b>? No new signing jobs can use it; its name
        cannot be used again. Signatures already made stay valid.
      </Confirm>

      <Confirm
        visible={dialog === 'revoke'}
        header="Revoke signing profile"
        confirmText="Revoke"
        disabled={reason.trim() === '' || Number.isNaN(Date.parse(effective))}
        onDismiss={() => setDialog(undefined)}
        onConfirm={async () => {
          await clients.signer.send(
            new RevokeSigningProfileCommand({
              profileName: name,
              profileVersion: p?.profileVersion,
              reason: reason.trim(),
              effectiveTime: new Date(effective),
            }),
          );
          reloadAll();
        }}
      >
        <Box>
          Signatures made with version <b>{p?.profileVersion}</b> after the effective time are no
          longer trusted. This cannot be undone.
        </Box>
        <FormField label="Reason">
          <Input
            controlId="revoke-reason"
            value={reason}
            onChange={(e) => setReason(e.detail.value)}
          />
        </FormField>
        <FormField label="Effective time" description="ISO 8601, e.g. 2026-01-31T12:00:00Z">
          <Input
            controlId="revoke-effective"
            value={effective}
            onChange={(e) => setEffective(e.detail.value)}
          />
        </FormField>
      </Confirm>
    </SpaceBetween>
  );
}
