/** "Start signing jobs": a profile, the source object (and version), the destination bucket. */
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { ListSigningProfilesCommand, StartSigningJobCommand } from '@aws-sdk/client-signer';
import { useState } from 'react';
import type { Clients } from '../clients.js';
import { ErrorAlert, useLoad, useSubmit } from '../api-error.js';
import { href, navigate } from '../route.js';
import { S3LocationField, type S3Location } from '../s3-location.js';

export function StartJobPage({ clients }: { clients: Clients }) {
  const [profileName, setProfileName] = useState<string>();
  const [source, setSource] = useState<S3Location>();
  const [destination, setDestination] = useState<S3Location>();
  const { busy, error, run } = useSubmit();
  const profiles = useLoad(async () => {
    const out = [];
    let nextToken: string | undefined;
    do {
      const r = await clients.signer.send(
        new ListSigningProfilesCommand({ statuses: ['Active'], nextToken }),
      );
      out.push(...(r.profiles ?? []));
      nextToken = r.nextToken;
    } while (nextToken);
    return out;
  }, []);
  const start = (): Promise<void> =>
    run(async () => {
      const r = await clients.signer.send(
        new StartSigningJobCommand({
          profileName,
          source: {
            s3: { bucketName: source?.bucket, key: source?.key, version: source?.versionId },
          },
          destination: { s3: { bucketName: destination?.bucket, prefix: destination?.key } },
        }),
      );
      navigate(href('jobs', r.jobId!));
    });
  return (
    <SpaceBetween size="m">
      <BreadcrumbGroup
        items={[
          { text: 'Signing jobs', href: href('jobs') },
          { text: 'Start signing jobs', href: href('jobs', 'start') },
        ]}
      />
      <Form
        header={<Header variant="h1">Start signing jobs</Header>}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" href={href('jobs')}>
              Cancel
            </Button>
            <Button
              variant="primary"
              loading={busy}
              disabled={!profileName || !source || !destination}
              onClick={() => void start()}
            >
              Start job
            </Button>
          </SpaceBetween>
        }
      >
        <SpaceBetween size="l">
          <ErrorAlert error={error ?? profiles.error} />
          <Container header={<Header variant="h2">Signing job settings</Header>}>
            <SpaceBetween size="l">
              <FormField label="Signing profile">
                <Select
                  data-testid="job-profile"
                  placeholder="Choose a signing profile"
                  statusType={profiles.loading ? 'loading' : 'finished'}
                  empty="No active signing profiles"
                  filteringType="auto"
                  selectedOption={profileName ? { label: profileName, value: profileName } : null}
                  options={(profiles.data ?? []).map((p) => ({
                    label: p.profileName,
                    value: p.profileName,
                    description: p.platformDisplayName,
                  }))}
                  onChange={(e) => setProfileName(e.detail.selectedOption.value)}
                />
              </FormField>
              <S3LocationField
                clients={clients}
                label="Code asset source location"
                kind="object"
                onChange={setSource}
              />
              <S3LocationField
                clients={clients}
                label="Signature destination path"
                kind="prefix"
                onChange={setDestination}
              />
            </SpaceBetween>
          </Container>
        </SpaceBetween>
      </Form>
    </SpaceBetween>
  );
}
