/** "Create signing profile", with the seed's fields in the seed's order and words. */
import Alert from '@cloudscape-design/components/alert';
import AttributeEditor from '@cloudscape-design/components/attribute-editor';
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { ListCertificatesCommand } from '@aws-sdk/client-acm';
import {
  ListSigningPlatformsCommand,
  PutSigningProfileCommand,
  type ValidityType,
} from '@aws-sdk/client-signer';
import { useState } from 'react';
import type { Clients } from '../clients.js';
import { ErrorAlert, useLoad, useSubmit } from '../api-error.js';
import { href, navigate } from '../route.js';
import { isIotPlatform, MAX_TAGS, profileNameError } from '../validation.js';

interface Tag {
  key: string;
  value: string;
}

const VALIDITY_TYPES: ValidityType[] = ['DAYS', 'MONTHS', 'YEARS'];

export function CreateProfilePage({ clients }: { clients: Clients }) {
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string>();
  const [platformId, setPlatformId] = useState<string>();
  const [validityValue, setValidityValue] = useState('135');
  const [validityType, setValidityType] = useState<ValidityType>('MONTHS');
  const [certificateArn, setCertificateArn] = useState<string>();
  const [tags, setTags] = useState<Tag[]>([]);
  const { busy, error, run } = useSubmit();
  const platforms = useLoad(async () => {
    const r = await clients.signer.send(new ListSigningPlatformsCommand({}));
    return r.platforms ?? [];
  }, []);
  const certificates = useLoad(async () => {
    const r = await clients.acm.send(new ListCertificatesCommand({}));
    return r.CertificateSummaryList ?? [];
  }, []);
  const platform = platforms.data?.find((p) => p.platformId === platformId);
  // IoT platforms sign with an imported ACM certificate; Lambda and Notation with AWS's own keys.
  const needsCertificate = isIotPlatform(platform?.platformId);
  // The validity period bounds Signer-managed signatures (Lambda, Notation); IoT signatures made
  // with an imported certificate carry no expiry, so the field is not offered for them.
  const hasValidity = platform !== undefined && !needsCertificate;

  const create = (): Promise<void> =>
    run(async () => {
      const problem = profileNameError(name);
      setNameError(problem);
      if (problem) return;
      await clients.signer.send(
        new PutSigningProfileCommand({
          profileName: name,
          platformId,
          ...(hasValidity
            ? { signatureValidityPeriod: { value: Number(validityValue), type: validityType } }
            : {}),
          ...(certificateArn ? { signingMaterial: { certificateArn } } : {}),
          ...(tags.length > 0
            ? { tags: Object.fromEntries(tags.map((t) => [t.key, t.value])) }
            : {}),
        }),
      );
      navigate(href('profiles', name));
    });

  return (
    <SpaceBetween size="m">
      <BreadcrumbGroup
        items={[
          { text: 'Signing profiles', href: href('profiles') },
          { text: 'Create signing profile', href: href('profiles', 'create') },
        ]}
      />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <Form
          header={<Header variant="h1">Create signing profile</Header>}
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" href={href('profiles')}>
                Cancel
              </Button>
              <Button variant="primary" formAction="submit" loading={busy}>
                Create profile
              </Button>
            </SpaceBetween>
          }
        >
          <SpaceBetween size="l">
            <ErrorAlert error={error} />
            <ErrorAlert error={platforms.error ?? certificates.error} />
            <Container header={<Header variant="h2">Signing profile details</Header>}>
              <SpaceBetween size="l">
                {nameError && (
                  <Alert type="error" header="Invalid profile name" data-testid="name-alert">
                    {nameError}
                  </Alert>
                )}
                <FormField
                  label="Profile name"
                  constraintText="2 to 64 characters: A–Z, a–z, 0–9 and underscore (_)."
                >
                  <Input
                    controlId="profile-name"
                    invalid={nameError !== undefined}
                    value={name}
                    onChange={(e) => {
                      setName(e.detail.value);
                      if (nameError) setNameError(profileNameError(e.detail.value));
                    }}
                    placeholder="MyFirmwareProfile"
                  />
                </FormField>
                <FormField label="Signing platform">
                  <Select
                    controlId="platform"
                    statusType={platforms.loading ? 'loading' : 'finished'}
                    loadingText="Loading platforms"
                    placeholder="Choose a signing platform"
                    selectedOption={
                      platform ? { label: platform.displayName, value: platform.platformId } : null
                    }
                    options={(platforms.data ?? []).map((p) => ({
                      label: p.displayName,
                      value: p.platformId,
                      description: p.platformId,
                    }))}
                    onChange={(e) => setPlatformId(e.detail.selectedOption.value)}
                  />
                </FormField>
                {hasValidity && (
                  <FormField
                    label="Signature validity period"
                    description="How long signatures made with this profile stay valid."
                  >
                    <SpaceBetween direction="horizontal" size="xs">
                      <div style={{ width: 120 }}>
                        <Input
                          type="number"
                          inputMode="numeric"
                          ariaLabel="Signature validity period value"
                          value={validityValue}
                          onChange={(e) => setValidityValue(e.detail.value)}
                        />
                      </div>
                      <div style={{ width: 160 }}>
                        <Select
                          ariaLabel="Signature validity period unit"
                          selectedOption={{ label: validityType, value: validityType }}
                          options={VALIDITY_TYPES.map((t) => ({ label: t, value: t }))}
                          onChange={(e) =>
                            setValidityType(e.detail.selectedOption.value as ValidityType)
                          }
                        />
                      </div>
                    </SpaceBetween>
                  </FormField>
                )}
                {needsCertificate && (
                  <FormField
                    label="Certificate"
                    description="An ACM certificate of this account (aws acm import-certificate) whose key fits the platform."
                  >
                    <Select
                      controlId="certificate"
                      statusType={certificates.loading ? 'loading' : 'finished'}
                      placeholder="Choose a certificate"
                      empty="No imported certificates"
                      selectedOption={
                        certificateArn
                          ? {
                              label: labelOf(certificates.data, certificateArn),
                              value: certificateArn,
                            }
                          : null
                      }
                      options={(certificates.data ?? []).map((c) => ({
                        label: c.DomainName ?? c.CertificateArn,
                        value: c.CertificateArn,
                        description: c.CertificateArn,
                      }))}
                      onChange={(e) => setCertificateArn(e.detail.selectedOption.value)}
                    />
                  </FormField>
                )}
              </SpaceBetween>
            </Container>
            <Container header={<Header variant="h2">Tags - optional</Header>}>
              <AttributeEditor
                items={tags}
                addButtonText="Add tag"
                removeButtonText="Remove"
                disableAddButton={tags.length >= MAX_TAGS}
                additionalInfo={`You can add ${MAX_TAGS - tags.length} more tags.`}
                empty="No tags associated with the resource."
                onAddButtonClick={() => setTags([...tags, { key: '', value: '' }])}
                onRemoveButtonClick={(e) =>
                  setTags(tags.filter((_, i) => i !== e.detail.itemIndex))
                }
                definition={[
                  {
                    label: 'Tag key',
                    control: (t, i) => (
                      <Input
                        ariaLabel={`Tag key ${i + 1}`}
                        value={t.key}
                        onChange={(e) =>
                          setTags(tags.map((x, j) => (j === i ? { ...x, key: e.detail.value } : x)))
                        }
                      />
                    ),
                  },
                  {
                    label: 'Tag value',
                    control: (t, i) => (
                      <Input
                        ariaLabel={`Tag value ${i + 1}`}
                        value={t.value}
                        onChange={(e) =>
                          setTags(
                            tags.map((x, j) => (j === i ? { ...x, value: e.detail.value } : x)),
                          )
                        }
                      />
                    ),
                  },
                ]}
              />
            </Container>
          </SpaceBetween>
        </Form>
      </form>
    </SpaceBetween>
  );
}

function labelOf(
  list: Array<{ CertificateArn?: string; DomainName?: string }> | undefined,
  arn: string,
): string {
  return list?.find((c) => c.CertificateArn === arn)?.DomainName ?? arn;
}
