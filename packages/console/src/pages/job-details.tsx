/** One signing job: status, source, the signed object (download), expiry, revocation, OTA document. */
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeSigningJobCommand,
  RevokeSignatureCommand,
  type DescribeSigningJobCommandOutput,
} from '@aws-sdk/client-signer';
import { useEffect, useMemo, useState } from 'react';
import type { Clients } from '../clients.js';
import { ErrorAlert, toShownError, useLoad, when } from '../api-error.js';
import { Confirm } from '../confirm.js';
import { href } from '../route.js';
import { isIotPlatform } from '../validation.js';
import { fetchOtaJobDocument } from '../ota.js';
import { jobStatus, revocation } from './jobs.js';

export function JobDetailsPage({ clients, jobId }: { clients: Clients; jobId: string }) {
  const job = useLoad(() => clients.signer.send(new DescribeSigningJobCommand({ jobId })), [jobId]);
  const j = job.data;
  // A job in progress is asked again until it ends.
  useEffect(() => {
    if (j?.status !== 'InProgress') return;
    const t = setTimeout(job.reload, 1000);
    return () => clearTimeout(t);
  }, [j, job.reload]);
  const [dialog, setDialog] = useState(false);
  const [reason, setReason] = useState('');
  const s3 = j?.signedObject?.s3;
  const fileName = s3?.key?.split('/').pop() ?? 'signed-object';
  return (
    <SpaceBetween size="l">
      <BreadcrumbGroup
        items={[
          { text: 'Signing jobs', href: href('jobs') },
          { text: jobId, href: href('jobs', jobId) },
        ]}
      />
      <Header
        variant="h1"
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button iconName="refresh" ariaLabel="Refresh" onClick={job.reload} />
            <Button
              disabled={j?.status !== 'Succeeded' || j.revocationRecord !== undefined}
              onClick={() => setDialog(true)}
            >
              Revoke signature
            </Button>
          </SpaceBetween>
        }
      >
        <span className="fwsign-break">Signing job {jobId}</span>
      </Header>
      <ErrorAlert error={job.error} />
      {job.loading && !j ? <Spinner size="large" /> : null}
      {j && (
        <>
          <Container header={<Header variant="h2">Details</Header>}>
            <KeyValuePairs
              columns={3}
              items={[
                {
                  label: 'Signing status',
                  value: <span data-testid="job-status">{jobStatus(j.status)}</span>,
                },
                { label: 'Status reason', value: j.statusReason ?? '-' },
                {
                  label: 'Revocation status',
                  value: (
                    <span data-testid="job-revocation">
                      {revocation(j.revocationRecord !== undefined)}
                    </span>
                  ),
                },
                {
                  label: 'Profile name',
                  value: (
                    <a className="fwsign-break" href={href('profiles', j.profileName ?? '')}>
                      {j.profileName}
                    </a>
                  ),
                },
                { label: 'Profile version', value: j.profileVersion },
                { label: 'Signing platform', value: j.platformDisplayName ?? j.platformId },
                {
                  label: 'Source',
                  value: (
                    <span className="fwsign-break">
                      s3://{j.source?.s3?.bucketName}/{j.source?.s3?.key} (version{' '}
                      {j.source?.s3?.version})
                    </span>
                  ),
                },
                {
                  label: 'Signed object',
                  value: s3 ? (
                    <span className="fwsign-break">
                      s3://{s3.bucketName}/{s3.key}
                    </span>
                  ) : (
                    '-'
                  ),
                },
                { label: 'Signature expires', value: when(j.signatureExpiresAt) },
                { label: 'Created', value: when(j.createdAt) },
                { label: 'Completed', value: when(j.completedAt) },
                {
                  label: 'Requested by',
                  value: <span className="fwsign-break">{j.requestedBy ?? '-'}</span>,
                },
              ]}
            />
          </Container>
          {j.revocationRecord && (
            <Container header={<Header variant="h2">Signature revocation</Header>}>
              <KeyValuePairs
                columns={3}
                items={[
                  { label: 'Reason', value: j.revocationRecord.reason ?? '-' },
                  { label: 'Revoked at', value: when(j.revocationRecord.revokedAt) },
                  { label: 'Revoked by', value: j.revocationRecord.revokedBy ?? '-' },
                ]}
              />
            </Container>
          )}
          {j.status === 'Succeeded' && s3?.bucketName && s3.key && (
            <SignedObject
              clients={clients}
              job={j}
              bucket={s3.bucketName}
              keyName={s3.key}
              fileName={fileName}
            />
          )}
        </>
      )}
      <Confirm
        visible={dialog}
        header="Revoke signature"
        confirmText="Revoke signature"
        disabled={reason.trim() === ''}
        onDismiss={() => setDialog(false)}
        onConfirm={async () => {
          await clients.signer.send(new RevokeSignatureCommand({ jobId, reason: reason.trim() }));
          job.reload();
        }}
      >
        <Box>
          Devices that check revocation will no longer trust this job's signature. This cannot be
          undone.
        </Box>
        <FormField label="Reason">
          <Input
            controlId="revoke-signature-reason"
            value={reason}
            onChange={(e) => setReason(e.detail.value)}
          />
        </FormField>
      </Confirm>
    </SpaceBetween>
  );
}

/** The signed object: a download link, and for IoT jobs the OTA job document ready to copy. */
function SignedObject({
  clients,
  job,
  bucket,
  keyName,
  fileName,
}: {
  clients: Clients;
  job: DescribeSigningJobCommandOutput;
  bucket: string;
  keyName: string;
  fileName: string;
}) {
  const object = useLoad(async () => {
    const r = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: keyName }));
    return r.Body ? await r.Body.transformToByteArray() : new Uint8Array(0);
  }, [bucket, keyName]);
  const url = useMemo(
    () =>
      object.data
        ? URL.createObjectURL(
            new Blob([object.data as Uint8Array<ArrayBuffer>], { type: 'application/json' }),
          )
        : undefined,
    [object.data],
  );
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);
  const [filepath, setFilepath] = useState('/firmware/update.bin');
  const [certfile, setCertfile] = useState('/certs/codesign.crt');
  // Over MQTT the device reads the image from a stream; AWS IoT names them AFR_OTA-<uuid>.
  const [streamname, setStreamname] = useState(`AFR_OTA-${job.jobId ?? ''}`);
  // The API builds the document, and refuses (ConflictException) a job devices must not be sent:
  // a revoked signature, or a profile version revoked before the job. Asked again when the job
  // is (a revocation reloads it).
  const iot = isIotPlatform(job.platformId);
  const ota = useLoad(
    async () =>
      iot
        ? fetchOtaJobDocument(clients, job.jobId!, { filepath, certfile, streamname })
        : undefined,
    [job, iot, filepath, certfile, streamname],
  );
  const refused = ota.error ? toShownError(ota.error) : undefined;
  const refusal = refused?.code === 'ConflictException' ? refused.message : undefined;
  const doc = ota.data;
  const docError = refusal ? undefined : ota.error;
  return (
    <SpaceBetween size="l">
      <Container header={<Header variant="h2">Signed object</Header>}>
        <ErrorAlert error={object.error} />
        {object.loading ? (
          <Spinner />
        ) : url ? (
          <SpaceBetween direction="horizontal" size="s" alignItems="center">
            <a href={url} download={fileName} data-testid="download-signed">
              Download {fileName}
            </a>
            <Box color="text-body-secondary">{object.data?.length} bytes</Box>
          </SpaceBetween>
        ) : null}
      </Container>
      {iot && (
        <Container
          header={
            <Header
              variant="h2"
              description="The FreeRTOS OTA job document (afr_ota) for an AWS IoT job that delivers this image."
            >
              OTA job document
            </Header>
          }
        >
          <SpaceBetween size="m">
            {refusal ? (
              <Alert type="warning" header="No OTA job document">
                {refusal}
              </Alert>
            ) : (
              <>
                <SpaceBetween direction="horizontal" size="m">
                  <FormField label="File path on the device">
                    <Input value={filepath} onChange={(e) => setFilepath(e.detail.value)} />
                  </FormField>
                  <FormField label="Code-signing certificate path on the device">
                    <Input value={certfile} onChange={(e) => setCertfile(e.detail.value)} />
                  </FormField>
                  <FormField label="Stream name (MQTT)">
                    <Input value={streamname} onChange={(e) => setStreamname(e.detail.value)} />
                  </FormField>
                </SpaceBetween>
                {docError ? (
                  <ErrorAlert error={docError} header={toShownError(docError).code} />
                ) : null}
                {doc && (
                  <SpaceBetween size="xs">
                    <CopyToClipboard
                      variant="button"
                      textToCopy={doc}
                      copyButtonText="Copy job document"
                      copySuccessText="Job document copied"
                      copyErrorText="Could not copy"
                    />
                    <pre className="fwsign-pre" data-testid="ota-document">
                      {doc}
                    </pre>
                  </SpaceBetween>
                )}
              </>
            )}
          </SpaceBetween>
        </Container>
      )}
    </SpaceBetween>
  );
}
