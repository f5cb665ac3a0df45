/** Sign-in with the access key id and secret the AWS CLI uses; checked by one signed call. */
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { ListSigningProfilesCommand } from '@aws-sdk/client-signer';
import { useState } from 'react';
import { makeClients } from '../clients.js';
import { ErrorAlert, useSubmit } from '../api-error.js';
import { saveSession, type Session } from '../session.js';

export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [accessKeyId, setKey] = useState('');
  const [secretAccessKey, setSecret] = useState('');
  const [region, setRegion] = useState('us-east-1');
  const { busy, error, run } = useSubmit();
  const submit = (): Promise<void> =>
    run(async () => {
      const s = { accessKeyId: accessKeyId.trim(), secretAccessKey, region: region.trim() };
      await makeClients(s).signer.send(new ListSigningProfilesCommand({ maxResults: 1 }));
      saveSession(s);
      onSignedIn(s);
    });
  return (
    <Box padding={{ vertical: 'xxxl', horizontal: 'l' }}>
      <div className="fwsign-narrow">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Form
            header={
              <Header
                variant="h1"
                description="Use the access key the AWS CLI uses for this server."
              >
                Sign in
              </Header>
            }
            actions={
              <Button variant="primary" loading={busy} formAction="submit" data-testid="sign-in">
                Sign in
              </Button>
            }
          >
            <SpaceBetween size="m">
              <ErrorAlert error={error} header="Sign-in failed" />
              <Container>
                <SpaceBetween size="m">
                  <FormField label="Access key ID">
                    <Input
                      value={accessKeyId}
                      onChange={(e) => setKey(e.detail.value)}
                      autoComplete="username"
                      controlId="access-key-id"
                    />
                  </FormField>
                  <FormField
                    label="Secret access key"
                    description="Kept in this tab only (session storage); Sign out forgets it."
                  >
                    <Input
                      type="password"
                      value={secretAccessKey}
                      onChange={(e) => setSecret(e.detail.value)}
                      autoComplete="current-password"
                      controlId="secret-access-key"
                    />
                  </FormField>
                  <FormField label="Region">
                    <Input
                      value={region}
                      onChange={(e) => setRegion(e.detail.value)}
                      controlId="region"
                    />
                  </FormField>
                </SpaceBetween>
              </Container>
            </SpaceBetween>
          </Form>
        </form>
      </div>
    </Box>
  );
}
